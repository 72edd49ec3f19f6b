/** Block Kit hard limits (test/fixtures/slack-facts.md §6). */
export const BLOCK_KIT_LIMITS = {
  blocksPerMessage: 50,
  blocksPerView: 100,
  idLength: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  privateMetadata: 3000,
  messageText: 40000,
  inputLabel: 2000,
  inputHint: 2000,
  /**
   * plain_text_input: placeholder 150; min_length 0–3000 and max_length 1–3000 (Slack's plain-text
   * input element reference, docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element).
   */
  inputPlaceholder: 150,
  textInputLength: 3000,
  /**
   * radio_buttons: at most 10 options; an option's text and description 75, its value 150 (Slack's
   * radio button group and option object references, docs.slack.dev/reference/block-kit).
   */
  radioOptions: 10,
  optionText: 75,
  optionValue: 150,
} as const;
