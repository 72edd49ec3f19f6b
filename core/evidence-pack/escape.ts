/**
 * Escaping for the pack's human-readable files. Every name in them (cluster, namespace, target,
 * actor, reason) can be chosen by whoever controls a cluster object or types a reason: none may add
 * markup, break a table or run a script.
 */

const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** Text for an HTML element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => HTML_ENTITIES[c] as string);
}

/**
 * Text for a Markdown table cell or line: on one line, with every character Markdown or an HTML
 * renderer could read as syntax backslash-escaped (pipes, backticks, brackets, emphasis, `<`, `&`). Only used
 * after other text on a line, so line-start syntax (`#`, `-`, `1.`) cannot apply.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters become spaces.
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
      .replace(/[\\`*_[\]<>&|~]/g, (c) => `\\${c}`)
  );
}
