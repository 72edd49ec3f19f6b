import * as api from './api.js';
import { renderBlocks, renderMessageText } from './blocks.js';
import { ModalView, showConfirm } from './modal.js';
import { setupScenarios } from './scenarios.js';

/**
 * The sandbox's Slack-like page: channels, messages with threads, ephemeral messages, updates
 * marked "edited", files, the App Home, modals, and a message box for slash commands. It polls the
 * sandbox for changes; everything a person does goes through the signing proxy as a real Slack request.
 */

const POLL_MS = 400;
const page = {
  facts: undefined,
  user: '',
  channel: '',
  thread: undefined,
  messages: [],
  views: {},
  version: -1,
};

const directory = {
  userName: (id) => page.facts?.users.find((u) => u.id === id)?.name,
  channelName: (id) => page.facts?.channels.find((c) => c.id === id)?.name,
};

function el(tag, className, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) node.append(child);
  return node;
}

function $(id) {
  return document.getElementById(id);
}

function status(text, kind = 'info') {
  const node = $('status');
  node.textContent = text;
  node.dataset.kind = kind;
}

/** Sends an action; says what went wrong when the bot did not take it. */
async function act(action) {
  status('Sending…');
  const result = await api.act({ user: page.user, ...action });
  if (result.ok) status('');
  else if (result.botStatus !== undefined) status(`kubeguard answered HTTP ${result.botStatus}`, 'error');
  else status(result.error ?? 'the request failed', 'error');
  await refresh(true);
  return result;
}

const confirm = (object, onConfirm) => showConfirm(object, directory, onConfirm);

const modal = new ModalView($('modal'), {
  directory,
  confirm,
  onAction: (record, click) => act({ kind: 'click', viewId: record.id, ...click }),
  onSubmit: (record, values) => act({ kind: 'submit', viewId: record.id, values }),
  onClose: (record) => act({ kind: 'close', viewId: record.id }),
});

function time(ts) {
  const date = new Date(Number(ts) * 1000);
  return date.toISOString().slice(11, 16);
}

function visible(message) {
  return message.ephemeral_to === undefined || message.ephemeral_to === page.user;
}

function files(message) {
  return (message.files ?? []).map((file) => {
    const link = el('a', 'file-name', [file.name]);
    link.href = file.url;
    link.download = file.name;
    const meta = el('span', 'file-meta', [`${file.type} · ${file.size} bytes`]);
    const node = el('div', 'file', [link, meta]);
    node.dataset.fileName = file.name;
    if (file.type === 'image/png') {
      const preview = el('img', 'file-preview');
      preview.src = file.url;
      preview.alt = file.name;
      node.prepend(preview);
    }
    return node;
  });
}

function replies(parent) {
  return page.messages.filter(
    (m) => m.thread_ts === parent.ts && m.ts !== parent.ts && m.channel === parent.channel && visible(m),
  );
}

function messageNode(message, inThread) {
  const ephemeral = message.ephemeral_to !== undefined;
  const name = directory.userName(message.user) ?? 'kubeguard';
  const meta = el('div', 'message-meta', [el('span', 'author', [name])]);
  if (message.user === page.facts.botUserId) meta.append(el('span', 'app-badge', ['APP']));
  meta.append(el('span', 'time', [time(message.ts)]));
  if (message.updates.length > 0) meta.append(el('span', 'edited', ['(edited)']));
  const body = el('div', 'message-body', [meta]);
  if (ephemeral) body.append(el('div', 'ephemeral-note', ['Only visible to you']));
  const ctx = {
    directory,
    confirm,
    key: (index, element) => `${index}:${element.action_id}`,
    onAction: ({ blockIndex, element, selected }) => {
      if (typeof element.url === 'string' && /^https?:/.test(element.url))
        window.open(element.url, '_blank', 'noopener');
      return act({
        kind: 'click',
        channel: message.channel,
        ...(ephemeral ? { ephemeralTs: message.ts } : { messageTs: message.ts }),
        blockIndex,
        actionId: element.action_id,
        ...(selected === undefined ? {} : { selected }),
      });
    },
  };
  if (message.blocks.length > 0) body.append(renderBlocks(message.blocks, ctx));
  else if (message.text !== '') body.append(renderMessageText(message.text, directory));
  body.append(...files(message));
  const threaded = inThread ? [] : replies(message);
  if (threaded.length > 0) {
    const link = el('button', 'replies', [
      `${threaded.length} ${threaded.length === 1 ? 'reply' : 'replies'}`,
    ]);
    link.addEventListener('click', () => {
      page.thread = message.ts;
      render();
    });
    body.append(link);
  }
  const node = el('div', `message${ephemeral ? ' ephemeral' : ''}`, [
    el('div', 'avatar', [name.slice(0, 1).toUpperCase()]),
    body,
  ]);
  node.dataset.ts = message.ts;
  node.dataset.channel = message.channel;
  return node;
}

function renderChannels() {
  const list = $('channels');
  list.replaceChildren();
  const own = [
    { id: 'home', name: 'kubeguard (App Home)' },
    { id: 'dm', name: 'kubeguard (direct messages)' },
  ];
  for (const channel of [...page.facts.channels, ...own]) {
    const item = el('button', `channel${channel.id === page.channel ? ' active' : ''}`, [
      own.includes(channel) ? channel.name : `# ${channel.name}`,
    ]);
    item.dataset.channel = channel.id;
    item.addEventListener('click', () => {
      page.channel = channel.id;
      page.thread = undefined;
      render();
    });
    list.append(item);
  }
}

function renderHome() {
  const id = page.views.homes?.[page.user];
  const record = page.views.views?.find((v) => v.id === id);
  if (!record) return [el('div', 'empty', ['kubeguard has not published a Home tab for you yet.'])];
  const blocks = record.view.blocks ?? [];
  const ctx = {
    directory,
    confirm,
    key: (index, element) => `${index}:${element.action_id}`,
    onAction: ({ blockIndex, element, selected }) =>
      act({
        kind: 'click',
        viewId: record.id,
        blockIndex,
        actionId: element.action_id,
        ...(selected === undefined ? {} : { selected }),
      }),
  };
  const node = el('div', 'home', [renderBlocks(blocks, ctx)]);
  node.dataset.viewId = record.id;
  return [node];
}

function renderMain() {
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  if (page.channel === 'home') {
    $('channel-title').textContent = 'kubeguard — Home';
    list.replaceChildren(...renderHome());
    $('composer').hidden = true;
    return;
  }
  // The bot's direct messages with the signed-in person (digests, previews): the sandbox's Slack
  // opens one per person as D + the user id's rest (cli/sandbox/slack/state.ts openDirectMessage).
  const channel = page.channel === 'dm' ? `D${page.user.slice(1)}` : page.channel;
  $('composer').hidden = page.channel === 'dm';
  $('channel-title').textContent =
    page.channel === 'dm'
      ? 'kubeguard — direct messages'
      : `# ${directory.channelName(page.channel) ?? page.channel}`;
  $('composer-input').placeholder = `Message #${directory.channelName(page.channel) ?? ''} — try /k8s help`;
  const top = page.messages.filter((m) => m.channel === channel && m.thread_ts === undefined && visible(m));
  list.replaceChildren(
    ...(top.length > 0 ? top.map((m) => messageNode(m, false)) : [el('div', 'empty', ['No messages yet.'])]),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
}

function renderThread() {
  const pane = $('thread');
  const parent = page.messages.find((m) => m.ts === page.thread && m.channel === page.channel);
  if (!parent) {
    pane.hidden = true;
    return;
  }
  const close = el('button', 'thread-close', ['×']);
  close.addEventListener('click', () => {
    page.thread = undefined;
    render();
  });
  pane.replaceChildren(
    el('div', 'thread-header', [el('span', '', ['Thread']), close]),
    messageNode(parent, true),
    ...replies(parent).map((m) => messageNode(m, true)),
  );
  pane.hidden = false;
}

function render() {
  renderChannels();
  renderMain();
  renderThread();
  const stack = page.views.stacks?.[page.user] ?? [];
  modal.show(page.views.views?.find((v) => v.id === stack[stack.length - 1]));
}

async function refresh(force = false) {
  const current = await api.version();
  if (!force && current === page.version) return;
  page.version = current;
  const [messages, views] = await Promise.all([api.messages(), api.views()]);
  page.messages = messages;
  page.views = views;
  render();
  document.body.dataset.version = String(current);
}

async function poll() {
  try {
    await refresh();
  } catch (error) {
    status(`lost the sandbox: ${error.message}`, 'error');
  }
  setTimeout(poll, POLL_MS);
}

function setupComposer() {
  $('composer').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('composer-input');
    const text = input.value.trim();
    if (text === '') return;
    if (!text.startsWith('/')) {
      status('kubeguard listens to slash commands here: try /k8s help', 'error');
      return;
    }
    input.value = '';
    await act({ kind: 'command', channel: page.channel, text });
  });
}

function setupUsers() {
  const select = $('user');
  for (const user of page.facts.users) {
    const option = el('option', '', [`${user.name}${user.role ? ` (${user.role})` : ''}`]);
    option.value = user.id;
    select.append(option);
  }
  select.value = page.user;
  select.addEventListener('change', () => {
    page.user = select.value;
    modal.show(undefined);
    render();
  });
}

async function start() {
  page.facts = await api.facts();
  page.user = page.facts.users[0]?.id ?? '';
  page.channel = page.facts.channels[0]?.id ?? 'home';
  if (!page.facts.connected) status('No bot is connected: the page can show messages but not send.', 'error');
  setupUsers();
  setupComposer();
  await setupScenarios($('scenarios'), status);
  await poll();
  document.body.dataset.ready = 'true';
}

start();
