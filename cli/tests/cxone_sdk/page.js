// The agent's page: NICE's CXone agent SDK, as published on npm, logs the agent in against
// `journey serve` and collects its custom events with the SDK's own get-next-event loop. It reports
// each step to the test's own server (POST /report), which drives the test (test.mjs).
//
// It uses the SDK's session manager (core-sdk's ACDSessionManager, the one agent-sdk's CXoneClient
// drives) with a token the page is given instead of NICE's OAuth login, which `journey serve` does
// not do: its tokens are the bearer tokens of its token file.
import { ACDSessionManager, AdminService, LocalStorageHelper, StorageKeys } from '@nice-devone/core-sdk';
import { CXoneLeaderElector } from '@nice-devone/common-sdk';

const query = new URLSearchParams(location.search);
const settings = { baseUri: query.get('base'), token: query.get('token'), agentId: query.get('agent') };

/** Tells the test what happened; the test reads these in order. */
function report(step, detail = {}) {
  return fetch('/report', { method: 'POST', body: JSON.stringify({ step, ...detail }) });
}

async function main() {
  // The SDK caches the agent settings and the session id across page loads.
  LocalStorageHelper.removeItem(StorageKeys.AGENT_SETTINGS);
  LocalStorageHelper.removeItem(StorageKeys.ACD_SESSION_ID);
  const cxoneConfig = { acdApiBaseUri: settings.baseUri, apiFacadeBaseUri: settings.baseUri };
  const user = { icAgentId: settings.agentId };
  AdminService.instance.initialize(settings.token, cxoneConfig, user);
  const sessions = ACDSessionManager.instance;
  sessions.initialize(settings.token, cxoneConfig, user);
  // Only the tab elected leader polls.
  await new Promise((resolve) => {
    const elected = CXoneLeaderElector.instance.onLeaderChanged.subscribe((leader) => {
      if (leader) { elected.unsubscribe(); resolve(); }
    });
    CXoneLeaderElector.instance.start();
  });
  sessions.onGetNextEvent.subscribe((events) => {
    for (const event of events) report('event', { event });
  });
  const started = await sessions.startSession({ stationId: '', stationPhoneNumber: 'WebRTC' });
  await report('started', { status: started.status, sessionId: started.data.sessionId });
  // The test says what to do next: join the session again (as a second tab of the agent's does,
  // naming no agent), or log out.
  for (;;) {
    const command = await (await fetch('/next')).text();
    if (command === 'join') {
      const joined = await sessions.joinSession({});
      await report('joined', { status: joined.status, sessionId: joined.data.sessionId });
    } else if (command === 'end') {
      const ended = await sessions.endSession({ forceLogoff: false, endContacts: true, ignorePersonalQueue: true });
      await report('ended', { status: ended.status });
      return;
    }
  }
}

main().catch((error) => report('failed', { message: String(error && (error.message || error)) }));
