/**
 * The compliance frameworks kubeguard maps its checks and rules to. Defined here, with no imports,
 * so that the check and rule metadata types can name them without an import cycle through the
 * evidence-pack model (which re-exports them).
 */
export const FRAMEWORKS = ['soc2', 'pci', 'iso27001'] as const;
export type Framework = (typeof FRAMEWORKS)[number];
