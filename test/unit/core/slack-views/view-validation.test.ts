import { describe, expect, it } from 'vitest';
import {
  type HomeView,
  type InputBlock,
  type ModalView,
  type PlainTextInputElement,
  plainText,
  type RadioButtonsElement,
  validateBlockKitView,
} from '#core/slack-views/blocks.ts';
import { loadFixture } from '#test/support/fixtures.ts';

/** The input block of the real view_submission payload (test/fixtures/slack-view-submission.json). */
function fixtureInput(): InputBlock & { element: PlainTextInputElement } {
  return loadFixture<{ view: { blocks: InputBlock[] } }>('slack-view-submission.json').view
    .blocks[0] as InputBlock & { element: PlainTextInputElement };
}

function modal(blocks: ModalView['blocks'], extra: Partial<ModalView> = {}): ModalView {
  return { type: 'modal', title: plainText('My App'), submit: plainText('Submit'), blocks, ...extra };
}

describe('validateBlockKitView: input blocks (slack-facts.md §6, plain-text input element reference)', () => {
  it('accepts the real input block of a view_submission payload', () => {
    expect(validateBlockKitView(modal([fixtureInput()]))).toEqual([]);
  });

  it('names each broken limit: label and hint 2000, placeholder 150, min_length 0–3000, max_length 1–3000', () => {
    const input = fixtureInput();
    const broken: InputBlock = {
      ...input,
      label: plainText('l'.repeat(2001)),
      hint: plainText('h'.repeat(2001)),
      element: {
        ...input.element,
        placeholder: plainText('p'.repeat(151)),
        min_length: 3001,
        max_length: 0,
      },
    };
    expect(validateBlockKitView(modal([broken]))).toEqual([
      'blocks[0] (input).label: 2001 chars (max 2000)',
      'blocks[0] (input).hint: 2001 chars (max 2000)',
      'blocks[0] (input).element.placeholder: 151 chars (max 150)',
      'blocks[0] (input).element.min_length 3001 (0–3000)',
      'blocks[0] (input).element.max_length 0 (1–3000)',
      'blocks[0] (input).element: min_length above max_length',
    ]);
  });

  it('refuses a duplicate action_id, an initial value over max_length and a modal with inputs but no submit', () => {
    const input = fixtureInput();
    const second: InputBlock = {
      ...input,
      block_id: 'other',
      element: { ...input.element, max_length: 3, initial_value: 'four' },
    };
    expect(validateBlockKitView(modal([input, second], { submit: undefined }))).toEqual([
      'a modal with an input block needs submit',
      'blocks[1] (input).element: duplicate action_id "maBWU"',
      'blocks[1] (input).element.initial_value longer than max_length',
    ]);
  });
});

describe('validateBlockKitView: the Home tab', () => {
  it('accepts a home view and applies the view limits: 100 blocks, callback_id 255, private_metadata 3000', () => {
    const ok: HomeView = { type: 'home', blocks: [{ type: 'divider' }] };
    expect(validateBlockKitView(ok)).toEqual([]);
    const broken: HomeView = {
      type: 'home',
      callback_id: 'c'.repeat(256),
      private_metadata: 'm'.repeat(3001),
      blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })),
    };
    expect(validateBlockKitView(broken)).toEqual([
      'callback_id longer than 255',
      'private_metadata is 3001 chars (max 3000)',
      '101 blocks (max 100)',
    ]);
  });
});

describe('validateBlockKitView: radio buttons (radio button group and option object references)', () => {
  const option = (value: string, text = value) => ({ text: plainText(text), value });
  const radio = (element: Partial<RadioButtonsElement>): InputBlock => ({
    type: 'input',
    block_id: 'choice',
    label: plainText('Choice'),
    element: { type: 'radio_buttons', action_id: 'choice', options: [option('a'), option('b')], ...element },
  });

  it('accepts a group whose initial option is one of its options', () => {
    expect(validateBlockKitView(modal([radio({ initial_option: option('b') })]))).toEqual([]);
  });

  it('names each broken limit: 10 options, text 75, value 150, duplicate values, a foreign initial option', () => {
    const tooMany = Array.from({ length: 11 }, (_, i) => option(`v${i}`));
    expect(validateBlockKitView(modal([radio({ options: tooMany })]))).toEqual([
      'blocks[0] (input).element: 11 options (1–10)',
    ]);
    expect(
      validateBlockKitView(
        modal([
          radio({
            options: [option('a', 't'.repeat(76)), option('v'.repeat(151), 'long'), option('a')],
            initial_option: option('c'),
          }),
        ]),
      ),
    ).toEqual([
      'blocks[0] (input).element.options[0].text: 76 chars (max 75)',
      'blocks[0] (input).element.options[1].value: 151 chars (1–150)',
      'blocks[0] (input).element.options[2]: duplicate value "a"',
      'blocks[0] (input).element.initial_option is not one of the options',
    ]);
  });
});
