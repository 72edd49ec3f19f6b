import { BLOCK_KIT_LIMITS } from './limits.ts';

/**
 * The subset of Block Kit kubeguard renders (https://docs.slack.dev/reference/block-kit), typed so
 * builders cannot produce an unknown shape, and a validator for the hard limits of
 * test/fixtures/slack-facts.md §6 that every view test can reuse.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  verbatim?: boolean;
}

export type TextObject = PlainText | MrkdwnText;

export interface ConfirmDialog {
  title: PlainText;
  text: TextObject;
  confirm: PlainText;
  deny: PlainText;
  style?: 'primary' | 'danger';
}

export interface ButtonElement {
  type: 'button';
  text: PlainText;
  action_id: string;
  value?: string;
  url?: string;
  style?: 'primary' | 'danger';
  confirm?: ConfirmDialog;
  accessibility_label?: string;
}

export interface ImageElement {
  type: 'image';
  image_url: string;
  alt_text: string;
}

export interface HeaderBlock {
  type: 'header';
  text: PlainText;
  block_id?: string;
}

export interface SectionBlock {
  type: 'section';
  text?: TextObject;
  fields?: TextObject[];
  accessory?: ButtonElement | ImageElement;
  block_id?: string;
}

export interface ContextBlock {
  type: 'context';
  elements: (TextObject | ImageElement)[];
  block_id?: string;
}

export interface DividerBlock {
  type: 'divider';
  block_id?: string;
}

export interface ActionsBlock {
  type: 'actions';
  elements: ButtonElement[];
  block_id?: string;
}

export interface ImageBlock {
  type: 'image';
  image_url: string;
  alt_text: string;
  title?: PlainText;
  block_id?: string;
}

/** A text field of a modal (the reason a responder gives); its value comes back in view_submission. */
export interface PlainTextInputElement {
  type: 'plain_text_input';
  action_id: string;
  multiline?: boolean;
  min_length?: number;
  max_length?: number;
  placeholder?: PlainText;
  initial_value?: string;
  focus_on_load?: boolean;
}

/** One choice of a radio group: its value comes back as `selected_option.value` in view_submission. */
export interface OptionObject {
  text: PlainText;
  value: string;
  description?: PlainText;
}

/** A choice among a few options in a modal's input block (engine, mode). */
export interface RadioButtonsElement {
  type: 'radio_buttons';
  action_id: string;
  options: OptionObject[];
  /** Must be one of `options` exactly. */
  initial_option?: OptionObject;
}

export interface InputBlock {
  type: 'input';
  label: PlainText;
  element: PlainTextInputElement | RadioButtonsElement;
  hint?: PlainText;
  optional?: boolean;
  block_id?: string;
}

export type Block =
  | HeaderBlock
  | SectionBlock
  | ContextBlock
  | DividerBlock
  | ActionsBlock
  | ImageBlock
  | InputBlock;

/** A message as chat.postMessage / chat.update take it: `text` is the notification fallback. */
export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/** A modal as views.open / views.update / views.push take it. */
export interface ModalView {
  type: 'modal';
  title: PlainText;
  blocks: Block[];
  close?: PlainText;
  submit?: PlainText;
  callback_id?: string;
  /** Returned in view_submission / block_actions payloads; a reference, never data. */
  private_metadata?: string;
  /** Unique per workspace: lets views.update find a modal whose view id nobody kept. */
  external_id?: string;
}

/** The App Home tab as views.publish takes it. */
export interface HomeView {
  type: 'home';
  blocks: Block[];
  callback_id?: string;
  private_metadata?: string;
}

export function plainText(text: string): PlainText {
  return { type: 'plain_text', text };
}

export function mrkdwn(text: string): MrkdwnText {
  return { type: 'mrkdwn', text };
}

const L = BLOCK_KIT_LIMITS;

/** Every Block Kit limit the message breaks, as readable sentences; empty when Slack would accept it. */
export function validateBlockKitMessage(message: SlackMessage): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(message.text.length <= L.messageText, `text is ${message.text.length} chars (max ${L.messageText})`);
  check(
    message.blocks.length <= L.blocksPerMessage,
    `${message.blocks.length} blocks (max ${L.blocksPerMessage})`,
  );
  validateBlocks(message.blocks, check);
  return problems;
}

/**
 * Every Block Kit limit a modal or Home tab breaks (title/close/submit 24, 100 blocks,
 * private_metadata 3000, input labels 2000 …); a modal with an input block needs a submit button.
 */
export function validateBlockKitView(view: ModalView | HomeView): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };
  check(
    view.type === 'modal' || view.type === 'home',
    `type is "${(view as { type: string }).type}" (expected modal or home)`,
  );
  if (view.type === 'modal') {
    check(view.title !== undefined, 'a modal needs a title');
    for (const [name, text] of [
      ['title', view.title],
      ['close', view.close],
      ['submit', view.submit],
    ] as const) {
      if (text === undefined) continue;
      checkText(text, L.modalTitle, name, check);
      check(text.type === 'plain_text', `${name} must be plain_text`);
    }
    check(
      view.submit !== undefined || !view.blocks.some((block) => block.type === 'input'),
      'a modal with an input block needs submit',
    );
  }
  if (view.callback_id !== undefined) {
    check(view.callback_id.length <= L.idLength, `callback_id longer than ${L.idLength}`);
  }
  if (view.private_metadata !== undefined) {
    check(
      view.private_metadata.length <= L.privateMetadata,
      `private_metadata is ${view.private_metadata.length} chars (max ${L.privateMetadata})`,
    );
  }
  check(view.blocks.length <= L.blocksPerView, `${view.blocks.length} blocks (max ${L.blocksPerView})`);
  validateBlocks(view.blocks, check);
  return problems;
}

type Check = (ok: boolean, problem: string) => void;

function validateBlocks(blocks: readonly Block[], check: Check): void {
  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  blocks.forEach((block, index) => {
    const where = `blocks[${index}] (${block.type})`;
    if (block.block_id !== undefined) {
      check(block.block_id.length <= L.idLength, `${where}: block_id longer than ${L.idLength}`);
      check(!blockIds.has(block.block_id), `${where}: duplicate block_id "${block.block_id}"`);
      blockIds.add(block.block_id);
    }
    validateBlock(block, where, check, actionIds);
  });
}

function validateBlock(block: Block, where: string, check: Check, actionIds: Set<string>): void {
  switch (block.type) {
    case 'header':
      checkText(block.text, L.headerText, `${where}.text`, check);
      check(block.text.type === 'plain_text', `${where}.text must be plain_text`);
      return;
    case 'section':
      check(block.text !== undefined || (block.fields?.length ?? 0) > 0, `${where}: needs text or fields`);
      if (block.text !== undefined) checkText(block.text, L.sectionText, `${where}.text`, check);
      if (block.fields !== undefined) {
        check(
          block.fields.length <= L.sectionFields,
          `${where}: ${block.fields.length} fields (max ${L.sectionFields})`,
        );
        block.fields.forEach((field, i) => {
          checkText(field, L.fieldText, `${where}.fields[${i}]`, check);
        });
      }
      if (block.accessory?.type === 'button')
        checkButton(block.accessory, `${where}.accessory`, check, actionIds);
      return;
    case 'context':
      check(block.elements.length > 0, `${where}: needs at least one element`);
      check(
        block.elements.length <= L.contextElements,
        `${where}: ${block.elements.length} elements (max ${L.contextElements})`,
      );
      block.elements.forEach((element, i) => {
        if (element.type !== 'image') checkText(element, L.sectionText, `${where}.elements[${i}]`, check);
      });
      return;
    case 'actions':
      check(block.elements.length > 0, `${where}: needs at least one element`);
      check(
        block.elements.length <= L.actionsElements,
        `${where}: ${block.elements.length} elements (max ${L.actionsElements})`,
      );
      block.elements.forEach((button, i) => {
        checkButton(button, `${where}.elements[${i}]`, check, actionIds);
      });
      return;
    case 'image':
      check(block.image_url.length <= L.buttonUrl, `${where}.image_url longer than ${L.buttonUrl}`);
      check(block.alt_text.length <= L.fieldText, `${where}.alt_text longer than ${L.fieldText}`);
      return;
    case 'input':
      checkInput(block, where, check, actionIds);
      return;
    case 'divider':
      return;
  }
}

function checkInput(block: InputBlock, where: string, check: Check, actionIds: Set<string>): void {
  checkText(block.label, L.inputLabel, `${where}.label`, check);
  check(block.label.type === 'plain_text', `${where}.label must be plain_text`);
  if (block.hint !== undefined) checkText(block.hint, L.inputHint, `${where}.hint`, check);
  const input = block.element;
  const at = `${where}.element`;
  check(input.action_id.length > 0 && input.action_id.length <= L.idLength, `${at}: bad action_id length`);
  check(!actionIds.has(input.action_id), `${at}: duplicate action_id "${input.action_id}"`);
  actionIds.add(input.action_id);
  if (input.type === 'radio_buttons') {
    checkRadioButtons(input, at, check);
    return;
  }
  if (input.placeholder !== undefined)
    checkText(input.placeholder, L.inputPlaceholder, `${at}.placeholder`, check);
  const { min_length: min, max_length: max } = input;
  if (min !== undefined) {
    check(Number.isInteger(min) && min >= 0 && min <= L.textInputLength, `${at}.min_length ${min} (0–3000)`);
  }
  if (max !== undefined) {
    check(Number.isInteger(max) && max >= 1 && max <= L.textInputLength, `${at}.max_length ${max} (1–3000)`);
  }
  if (min !== undefined && max !== undefined) check(min <= max, `${at}: min_length above max_length`);
  if (input.initial_value !== undefined && max !== undefined) {
    check(input.initial_value.length <= max, `${at}.initial_value longer than max_length`);
  }
}

function checkRadioButtons(input: RadioButtonsElement, at: string, check: Check): void {
  check(
    input.options.length > 0 && input.options.length <= L.radioOptions,
    `${at}: ${input.options.length} options (1–${L.radioOptions})`,
  );
  const values = new Set<string>();
  input.options.forEach((option, i) => {
    checkText(option.text, L.optionText, `${at}.options[${i}].text`, check);
    check(
      option.value.length > 0 && option.value.length <= L.optionValue,
      `${at}.options[${i}].value: ${option.value.length} chars (1–${L.optionValue})`,
    );
    check(!values.has(option.value), `${at}.options[${i}]: duplicate value "${option.value}"`);
    values.add(option.value);
    if (option.description !== undefined)
      checkText(option.description, L.optionText, `${at}.options[${i}].description`, check);
  });
  const initial = input.initial_option;
  if (initial !== undefined) {
    check(
      input.options.some((option) => JSON.stringify(option) === JSON.stringify(initial)),
      `${at}.initial_option is not one of the options`,
    );
  }
}

function checkText(object: TextObject, max: number, where: string, check: Check): void {
  check(object.text.length > 0, `${where}: empty text`);
  check(object.text.length <= max, `${where}: ${object.text.length} chars (max ${max})`);
}

function checkButton(button: ButtonElement, where: string, check: Check, actionIds: Set<string>): void {
  checkText(button.text, L.buttonText, `${where}.text`, check);
  check(
    button.action_id.length > 0 && button.action_id.length <= L.idLength,
    `${where}: bad action_id length`,
  );
  check(!actionIds.has(button.action_id), `${where}: duplicate action_id "${button.action_id}"`);
  actionIds.add(button.action_id);
  if (button.value !== undefined) {
    check(
      button.value.length <= L.buttonValue,
      `${where}.value: ${button.value.length} chars (max ${L.buttonValue})`,
    );
  }
  if (button.url !== undefined) {
    check(button.url.length <= L.buttonUrl, `${where}.url: ${button.url.length} chars (max ${L.buttonUrl})`);
  }
  if (button.confirm !== undefined) {
    const c = button.confirm;
    checkText(c.title, L.confirmTitle, `${where}.confirm.title`, check);
    checkText(c.text, L.confirmText, `${where}.confirm.text`, check);
    checkText(c.confirm, L.confirmButton, `${where}.confirm.confirm`, check);
    checkText(c.deny, L.confirmButton, `${where}.confirm.deny`, check);
  }
}
