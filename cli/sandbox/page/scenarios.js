/**
 * The scenario player's buttons in the sidebar: each replays a built-in scenario (real-format events
 * through kubeguard's ingest handlers) and says what was recorded. Only shown when the sandbox serves
 * scenarios (`GET /api/sandbox/scenarios`); the sandbox's Slack alone has none.
 */

async function post(id) {
  const response = await fetch(`/api/sandbox/scenarios/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  return response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
}

function summary(result) {
  if (!result.ok) return result.error ?? 'the scenario could not be played';
  const count = result.detections;
  return `${count} finding${count === 1 ? '' : 's'} recorded; the alert follows`;
}

/** Adds the buttons to `container`; `status(text, kind)` reports each play. */
export async function setupScenarios(container, status) {
  const response = await fetch('/api/sandbox/scenarios');
  if (!response.ok) return;
  const { scenarios } = await response.json();
  if (!Array.isArray(scenarios) || scenarios.length === 0) return;
  const heading = document.createElement('div');
  heading.className = 'scenarios-title';
  heading.textContent = 'Scenarios';
  container.append(heading);
  for (const scenario of scenarios) {
    const button = document.createElement('button');
    button.className = 'scenario';
    button.type = 'button';
    button.dataset.scenario = scenario.id;
    button.title = scenario.description;
    button.textContent = `▶ ${scenario.title}`;
    button.addEventListener('click', async () => {
      button.disabled = true;
      status(`Playing “${scenario.title}”…`);
      try {
        const result = await post(scenario.id);
        status(summary(result), result.ok ? 'info' : 'error');
      } finally {
        button.disabled = false;
      }
    });
    container.append(button);
  }
  container.append(digestButton(status));
  container.hidden = false;
}

/**
 * "Send digests now": every subscription's digest for its current period, through the digest
 * function's handler (POST /api/sandbox/digests/send); a period already sent is not sent again.
 */
function digestButton(status) {
  const button = document.createElement('button');
  button.className = 'scenario';
  button.type = 'button';
  button.dataset.action = 'send-digests';
  button.title = 'Send every subscription its digest for the current period (once per period)';
  button.textContent = '✉ Send digests now';
  button.addEventListener('click', async () => {
    button.disabled = true;
    status('Sending digests…');
    try {
      const response = await fetch('/api/sandbox/digests/send', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      const result = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
      if (!result.ok) {
        status(result.error ?? 'the digests could not be sent', 'error');
        return;
      }
      const failed = result.failed?.length ?? 0;
      status(
        `${result.sent.length} sent, ${result.alreadySent} already sent this period${failed > 0 ? `, ${failed} failed` : ''}; see kubeguard (direct messages)`,
        failed > 0 ? 'error' : 'info',
      );
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
