import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { CHART_FONT_FAMILY, type TrendChart } from '../../core/digest/chart.ts';
import type { ChartRasterizer } from '../../core/digest/send.ts';
import { KubeguardError } from '../../core/errors.ts';

/**
 * The digest chart's SVG (core/digest/chart.ts) as PNG, with resvg (no browser). resvg draws text
 * only with a font it was given; system fonts are not loaded (a Lambda has none, and a laptop's would
 * make the picture differ by machine): kubeguard ships Roboto Regular subset to ASCII (13 KB,
 * fonts/OFL.txt). The digest function's bundle copies `fonts/` next to its code (infra/constructs/digest.ts).
 */
export const CHART_FONT_FILE = 'roboto-regular-ascii.ttf';

export interface ResvgRasterizerOptions {
  /** The font file. @default fonts/roboto-regular-ascii.ttf beside this module (or the bundle) */
  fontFile?: string;
}

export function createResvgRasterizer(options: ResvgRasterizerOptions = {}): ChartRasterizer {
  const fontFile = options.fontFile ?? defaultFontFile();
  // resvg skips a font it cannot read and draws no text at all: refuse that up front.
  if (!existsSync(fontFile)) {
    throw new KubeguardError('INVALID_CONFIG', `the digest chart's font file ${fontFile} does not exist`);
  }
  return {
    png(chart: TrendChart): Uint8Array {
      try {
        const rendered = new Resvg(chart.svg, {
          font: { loadSystemFonts: false, fontFiles: [fontFile], defaultFontFamily: CHART_FONT_FAMILY },
          fitTo: { mode: 'original' },
          background: '#ffffff',
          logLevel: 'off',
        }).render();
        return new Uint8Array(rendered.asPng());
      } catch (error) {
        throw new KubeguardError(
          'INTERNAL',
          `the digest chart could not be rendered: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

/** fonts/ beside this file in the sources, or beside the bundle (index.mjs) in a Lambda. */
function defaultFontFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'fonts', CHART_FONT_FILE), join(here, 'chart-fonts', CHART_FONT_FILE)];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new KubeguardError(
      'INVALID_CONFIG',
      `the digest chart's font is missing (looked for ${candidates.join(' and ')}); the bundle must copy adapters/chart/fonts`,
    );
  }
  return found;
}
