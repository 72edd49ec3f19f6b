/**
 * Slack mrkdwn to DOM nodes (docs.slack.dev/messaging/formatting-message-text): *bold*, _italic_,
 * ~strike~, `code`, ```pre```, > quote, <url|text> links, <@U…> and <#C…> mentions, <!here> shown
 * but inert, and the three entities &lt; &gt; &amp;. Every piece of text becomes a Text node: the
 * bot's text carries attacker strings, so nothing here is ever parsed as HTML.
 */

/** Slack escapes exactly these three; the rest of the text is literal. */
export function decodeEntities(text) {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

const SAFE_LINK = /^(https?:|mailto:)/i;

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

function text(value) {
  return document.createTextNode(decodeEntities(value));
}

/** `<…>`: a link, a mention, a channel, a special mention (inert) or a date's fallback. */
function angle(inner, directory) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return el('span', 'mention', [`@${label ?? directory.userName(id) ?? id}`]);
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    return el('span', 'mention', [`#${label ?? directory.channelName(id) ?? id}`]);
  }
  if (target.startsWith('!')) {
    const command = target.slice(1);
    if (command.startsWith('date^')) return text(label ?? command);
    if (command.startsWith('subteam^')) return el('span', 'mention', [`@${label ?? command.slice(8)}`]);
    // @here, @channel, @everyone: shown as Slack shows them, notifying nobody.
    return el('span', 'mention special', [`@${decodeEntities(label ?? command)}`]);
  }
  const url = decodeEntities(target);
  if (!SAFE_LINK.test(url)) return text(`<${inner}>`);
  const link = el('a', 'link', [decodeEntities(label ?? target)]);
  link.href = url;
  link.target = '_blank';
  link.rel = 'noopener noreferrer';
  return link;
}

function splitOnce(value, separator) {
  const at = value.indexOf(separator);
  return at === -1 ? [value, undefined] : [value.slice(0, at), value.slice(at + 1)];
}

/**
 * Inline formatting. Bold, italic and strike need a non-word character (or the start) before the
 * opening mark and after the closing one, as Slack requires; code spans are not formatted inside.
 */
const INLINE =
  /`([^`\n]+)`|<([^<>\n]+)>|(?<![\w*])\*([^*\n]+)\*(?![\w*])|(?<![\w_])_([^_\n]+)_(?![\w_])|(?<![\w~])~([^~\n]+)~(?![\w~])/g;

function inline(source, directory) {
  const nodes = [];
  let last = 0;
  for (const match of source.matchAll(INLINE)) {
    if (match.index > last) nodes.push(text(source.slice(last, match.index)));
    const [, code, link, bold, italic, strike] = match;
    if (code !== undefined) nodes.push(el('code', '', [text(code)]));
    else if (link !== undefined) nodes.push(angle(link, directory));
    else if (bold !== undefined) nodes.push(el('b', '', inline(bold, directory)));
    else if (italic !== undefined) nodes.push(el('i', '', inline(italic, directory)));
    else nodes.push(el('s', '', inline(strike, directory)));
    last = match.index + match[0].length;
  }
  if (last < source.length) nodes.push(text(source.slice(last)));
  return nodes;
}

/** Lines with quotes grouped; each line's inline formatting applied. */
function lines(source, directory) {
  const nodes = [];
  let quote;
  source.split('\n').forEach((line, index) => {
    const quoted = /^>\s?/.exec(line);
    if (quoted) {
      if (!quote) {
        quote = el('blockquote');
        nodes.push(quote);
      } else {
        quote.append(el('br'));
      }
      quote.append(...inline(line.slice(quoted[0].length), directory));
      return;
    }
    quote = undefined;
    if (index > 0 && nodes.length > 0) nodes.push(el('br'));
    nodes.push(...inline(line, directory));
  });
  return nodes;
}

/**
 * A mrkdwn string as a list of nodes. `directory` names users and channels for mentions:
 * `{ userName(id), channelName(id) }`.
 */
export function renderMrkdwn(source, directory) {
  const nodes = [];
  const parts = String(source).split('```');
  parts.forEach((part, index) => {
    // Odd parts sit between ``` fences; an unclosed fence stays literal text.
    if (index % 2 === 1 && index < parts.length - 1) {
      nodes.push(el('pre', '', [text(part.replace(/^\n/, ''))]));
    } else {
      const literal = index % 2 === 1 ? `\`\`\`${part}` : part;
      nodes.push(...lines(literal, directory));
    }
  });
  return nodes;
}

/** A text object (plain_text or mrkdwn) as a span. */
export function renderTextObject(object, directory, className = '') {
  const span = el('span', className);
  if (!object || typeof object.text !== 'string') return span;
  if (object.type === 'mrkdwn') span.append(...renderMrkdwn(object.text, directory));
  else span.append(document.createTextNode(object.text));
  return span;
}
