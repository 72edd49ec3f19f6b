import { renderMrkdwn, renderTextObject } from './mrkdwn.js';

/**
 * Block Kit to DOM (docs.slack.dev/reference/block-kit/blocks): header, section (text, fields,
 * accessory), context, actions, image, divider, input. Interactive elements call
 * `ctx.onAction({ blockIndex, element, selected })`; a button with a `confirm` object asks first.
 * `ctx.values` collects what inputs hold, `ctx.errors` shows a modal's field errors.
 */

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

function plain(object) {
  return object && typeof object.text === 'string' ? object.text : '';
}

const SAFE_IMAGE = /^(https?:|\/api\/sandbox\/files\/|data:image\/(png|jpeg|gif);)/i;

function image(url, alt, className) {
  const img = el('img', className);
  if (typeof url === 'string' && SAFE_IMAGE.test(url)) img.src = url;
  img.alt = typeof alt === 'string' ? alt : '';
  return img;
}

function button(element, blockIndex, ctx) {
  const node = el('button', `bk-button ${element.style ?? ''}`.trim(), [plain(element.text)]);
  node.type = 'button';
  node.dataset.actionId = element.action_id ?? '';
  node.dataset.blockIndex = String(blockIndex);
  if (typeof element.value === 'string') node.dataset.value = element.value;
  node.addEventListener('click', () => {
    const act = () => ctx.onAction({ blockIndex, element });
    if (element.confirm) ctx.confirm(element.confirm, act);
    else act();
  });
  return node;
}

function select(element, blockIndex, ctx) {
  const node = el('select', 'bk-select');
  node.dataset.actionId = element.action_id ?? '';
  const placeholder = el('option', '', [plain(element.placeholder) || 'Select an item']);
  placeholder.value = '';
  node.append(placeholder);
  for (const option of optionsOf(element)) {
    const item = el('option', '', [plain(option.text)]);
    item.value = option.value ?? '';
    if (element.initial_option && element.initial_option.value === option.value) item.selected = true;
    node.append(item);
  }
  node.addEventListener('change', () => {
    if (ctx.values) ctx.values.set(ctx.key(blockIndex, element), node.value);
    if (ctx.inModal !== true || element.type === 'overflow') {
      ctx.onAction({ blockIndex, element, selected: node.value });
    }
  });
  return node;
}

function optionsOf(element) {
  const direct = Array.isArray(element.options) ? element.options : [];
  const groups = Array.isArray(element.option_groups) ? element.option_groups : [];
  return [...direct, ...groups.flatMap((g) => (Array.isArray(g.options) ? g.options : []))];
}

/** An interactive element, or an image accessory. */
function element(item, blockIndex, ctx) {
  if (!item || typeof item !== 'object') return el('span');
  if (item.type === 'button') return button(item, blockIndex, ctx);
  if (item.type === 'image') return image(item.image_url, item.alt_text, 'bk-accessory-image');
  if (item.type === 'static_select' || item.type === 'overflow') return select(item, blockIndex, ctx);
  return el('span', 'bk-unsupported', [`[${String(item.type)}]`]);
}

function section(block, index, ctx) {
  const body = el('div', 'bk-section-body');
  if (block.text) body.append(renderTextObject(block.text, ctx.directory, 'bk-text'));
  if (Array.isArray(block.fields)) {
    body.append(
      el(
        'div',
        'bk-fields',
        block.fields.map((f) => renderTextObject(f, ctx.directory, 'bk-field')),
      ),
    );
  }
  const node = el('div', 'bk-section', [body]);
  if (block.accessory) node.append(el('div', 'bk-accessory', [element(block.accessory, index, ctx)]));
  return node;
}

function context(block, ctx) {
  const items = (block.elements ?? []).map((item) =>
    item.type === 'image'
      ? image(item.image_url, item.alt_text, 'bk-context-image')
      : renderTextObject(item, ctx.directory, 'bk-context-text'),
  );
  return el('div', 'bk-context', items);
}

function input(block, index, ctx) {
  const item = block.element ?? {};
  const key = ctx.key(index, item);
  const blockId = block.block_id ?? `sbx${index}`;
  const label = el('label', 'bk-label', [plain(block.label)]);
  if (block.optional === true) label.append(el('span', 'bk-optional', [' (optional)']));
  const node = el('div', 'bk-input', [label]);
  node.dataset.blockId = blockId;
  node.append(control(item, index, key, ctx));
  if (block.hint) node.append(el('div', 'bk-hint', [plain(block.hint)]));
  const error = ctx.errors?.[blockId];
  if (error) node.append(el('div', 'bk-error', [error]));
  return node;
}

/** An input's control; what it holds goes into ctx.values under `key`. */
function control(item, index, key, ctx) {
  const previous = ctx.values?.get(key);
  if (item.type === 'plain_text_input') {
    const field = el(item.multiline ? 'textarea' : 'input', 'bk-text-input');
    field.dataset.actionId = item.action_id ?? '';
    if (item.placeholder) field.placeholder = plain(item.placeholder);
    if (typeof item.max_length === 'number') field.maxLength = item.max_length;
    field.value = typeof previous === 'string' ? previous : (item.initial_value ?? '');
    ctx.values?.set(key, field.value);
    field.addEventListener('input', () => ctx.values?.set(key, field.value));
    return field;
  }
  if (item.type === 'static_select') {
    const node = select(item, index, { ...ctx, inModal: true });
    if (typeof previous === 'string') node.value = previous;
    ctx.values?.set(key, node.value || (item.initial_option?.value ?? null));
    return node;
  }
  if (item.type === 'radio_buttons' || item.type === 'checkboxes') return choices(item, key, ctx, previous);
  return el('span', 'bk-unsupported', [`[${String(item.type)}]`]);
}

function choices(item, key, ctx, previous) {
  const multiple = item.type === 'checkboxes';
  const initial = multiple
    ? (item.initial_options ?? []).map((o) => o.value)
    : item.initial_option
      ? [item.initial_option.value]
      : [];
  const chosen = new Set(
    Array.isArray(previous) ? previous : typeof previous === 'string' ? [previous] : initial,
  );
  const group = el('div', 'bk-choices');
  group.dataset.actionId = item.action_id ?? '';
  const store = () => ctx.values?.set(key, multiple ? [...chosen] : ([...chosen][0] ?? null));
  const name = `${key}-${Math.random().toString(36).slice(2)}`;
  for (const option of optionsOf(item)) {
    const box = el('input');
    box.type = multiple ? 'checkbox' : 'radio';
    box.name = name;
    box.value = option.value ?? '';
    box.checked = chosen.has(box.value);
    box.addEventListener('change', () => {
      if (!multiple) chosen.clear();
      if (box.checked) chosen.add(box.value);
      else chosen.delete(box.value);
      store();
    });
    group.append(el('label', 'bk-choice', [box, renderTextObject(option.text, ctx.directory)]));
  }
  store();
  return group;
}

function block(item, index, ctx) {
  switch (item?.type) {
    case 'header':
      return el('div', 'bk-header', [plain(item.text)]);
    case 'section':
      return section(item, index, ctx);
    case 'context':
      return context(item, ctx);
    case 'actions':
      return el(
        'div',
        'bk-actions',
        (item.elements ?? []).map((e) => element(e, index, ctx)),
      );
    case 'image': {
      const figure = el('figure', 'bk-image');
      if (item.title) figure.append(el('figcaption', '', [plain(item.title)]));
      figure.append(image(item.image_url, item.alt_text, ''));
      return figure;
    }
    case 'divider':
      return el('hr', 'bk-divider');
    case 'input':
      return input(item, index, ctx);
    case 'markdown':
      return el('div', 'bk-section', renderMrkdwn(String(item.text ?? ''), ctx.directory));
    default:
      return el('div', 'bk-unsupported', [`[unsupported block: ${String(item?.type)}]`]);
  }
}

/** The blocks of a message, modal or Home tab. */
export function renderBlocks(blocks, ctx) {
  const container = el('div', 'bk-blocks');
  (Array.isArray(blocks) ? blocks : []).forEach((item, index) => {
    const node = block(item, index, ctx);
    node.dataset.blockIndex = String(index);
    container.append(node);
  });
  return container;
}

/** A text-only message (no blocks): its mrkdwn. */
export function renderMessageText(source, directory) {
  return el('div', 'bk-text', renderMrkdwn(source, directory));
}
