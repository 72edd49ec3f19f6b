import { renderBlocks } from './blocks.js';
import { renderTextObject } from './mrkdwn.js';

/**
 * The modal a person has open (the top of their view stack) and the confirm dialog of a button.
 * What the inputs hold survives re-rendering while the view's hash stays the same; a new hash
 * (views.update, a page of results) renders it afresh.
 */

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

function plain(object, fallback) {
  return object && typeof object.text === 'string' ? object.text : fallback;
}

function blockIdOf(block, index) {
  return typeof block?.block_id === 'string' ? block.block_id : `sbx${index}`;
}

/** A button's `confirm` object as a dialog; `onConfirm` runs only on its confirm button. */
export function showConfirm(confirm, directory, onConfirm) {
  const root = document.getElementById('confirm');
  root.replaceChildren();
  const ok = el('button', `bk-button ${confirm.style === 'danger' ? 'danger' : 'primary'}`, [
    plain(confirm.confirm, 'Yes'),
  ]);
  ok.id = 'confirm-yes';
  const deny = el('button', 'bk-button', [plain(confirm.deny, 'Cancel')]);
  deny.id = 'confirm-no';
  const close = () => {
    root.hidden = true;
    root.replaceChildren();
  };
  ok.addEventListener('click', () => {
    close();
    onConfirm();
  });
  deny.addEventListener('click', close);
  root.append(
    el('div', 'dialog', [
      el('h2', 'dialog-title', [plain(confirm.title, 'Are you sure?')]),
      el('div', 'dialog-text', [renderTextObject(confirm.text, directory)]),
      el('div', 'dialog-buttons', [deny, ok]),
    ]),
  );
  root.hidden = false;
}

export class ModalView {
  constructor(root, { directory, onAction, onSubmit, onClose, confirm }) {
    this.root = root;
    this.options = { directory, onAction, onSubmit, onClose, confirm };
    this.values = new Map();
    this.shown = '';
  }

  /** What the inputs hold, as the proxy takes it: block id → action id → value. */
  entered() {
    const values = {};
    for (const [key, value] of this.values) {
      const [blockId, actionId] = JSON.parse(key);
      values[blockId] = { ...(values[blockId] ?? {}), [actionId]: value };
    }
    return values;
  }

  /** Shows `record` (from /api/sandbox/views), or hides the modal when there is none. */
  show(record) {
    if (!record) {
      this.root.hidden = true;
      this.root.replaceChildren();
      this.shown = '';
      this.values.clear();
      return;
    }
    const key = `${record.id}:${record.view.hash}:${JSON.stringify(record.errors)}`;
    if (key === this.shown) return;
    if (!this.shown.startsWith(`${record.id}:${record.view.hash}:`)) this.values.clear();
    this.shown = key;
    this.render(record);
  }

  render(record) {
    const { view } = record;
    const blocks = Array.isArray(view.blocks) ? view.blocks : [];
    const ctx = {
      directory: this.options.directory,
      values: this.values,
      errors: record.errors,
      inModal: true,
      key: (index, element) => JSON.stringify([blockIdOf(blocks[index], index), element.action_id ?? '']),
      confirm: this.options.confirm,
      onAction: ({ blockIndex, element, selected }) =>
        this.options.onAction(record, {
          blockIndex,
          actionId: element.action_id,
          selected,
          values: this.entered(),
        }),
    };
    const general = record.errors?.[''];
    const buttons = el('div', 'modal-buttons');
    const close = el('button', 'bk-button', [plain(view.close, 'Close')]);
    close.id = 'modal-close';
    close.addEventListener('click', () => this.options.onClose(record));
    buttons.append(close);
    if (view.submit) {
      const submit = el('button', 'bk-button primary', [plain(view.submit, 'Submit')]);
      submit.id = 'modal-submit';
      submit.addEventListener('click', () => this.options.onSubmit(record, this.entered()));
      buttons.append(submit);
    }
    const dialog = el('div', 'dialog modal', [
      el('h2', 'dialog-title', [plain(view.title, '')]),
      el('div', 'modal-body', [renderBlocks(blocks, ctx)]),
      ...(general ? [el('div', 'bk-error', [general])] : []),
      buttons,
    ]);
    dialog.dataset.viewId = record.id;
    dialog.dataset.callbackId = view.callback_id ?? '';
    this.root.replaceChildren(dialog);
    this.root.hidden = false;
  }
}
