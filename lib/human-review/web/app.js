// The reviewer app: sign in through Cognito (authorization code with PKCE; the app has no secret),
// take the next task from the review API, label it with a button or a key, and move on.
// Plain browser JavaScript with no dependencies; the API is served from the same origin (/api).
'use strict';

const $ = (id) => document.getElementById(id);
const SENTIMENT_NAMES = { '-1': 'Negative (-1)', 0: 'Neutral (0)', 1: 'Positive (1)' };
const KEYS = { '-': -1, 0: 0, 1: 1 };
const POLL_MS = 30000;
let config;
let current;
let busy = false;
let poll;

function show(section) {
  for (const id of ['sign-in', 'task', 'empty']) $(id).hidden = id !== section;
}

function say(message) {
  $('status').textContent = message;
}

function base64Url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText() {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

function claimsOf(token) {
  const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  return JSON.parse(decodeURIComponent(escape(atob(payload))));
}

function redirectUri() {
  return `${location.origin}/`;
}

async function signIn() {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem('pkce', JSON.stringify({ verifier, state }));
  const challenge = base64Url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.auth.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${config.auth.domain}/oauth2/authorize?${query}`);
}

function signOut() {
  sessionStorage.removeItem('idToken');
  const query = new URLSearchParams({ client_id: config.auth.clientId, logout_uri: redirectUri() });
  location.assign(`${config.auth.domain}/logout?${query}`);
}

/** Exchanges the code the sign-in returned for tokens, once, and forgets the code. */
async function finishSignIn(params) {
  const saved = JSON.parse(sessionStorage.getItem('pkce') || 'null');
  sessionStorage.removeItem('pkce');
  history.replaceState(null, '', '/');
  if (!saved || saved.state !== params.get('state')) throw new Error('The sign-in answer does not match the sign-in this page started; sign in again.');
  const response = await fetch(`${config.auth.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.auth.clientId,
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }),
  });
  if (!response.ok) throw new Error(`Sign-in failed (${response.status}); sign in again.`);
  const tokens = await response.json();
  sessionStorage.setItem('idToken', tokens.id_token);
}

function token() {
  const idToken = sessionStorage.getItem('idToken');
  if (!idToken) return undefined;
  try {
    const claims = claimsOf(idToken);
    return claims.exp * 1000 > Date.now() + 30000 ? { idToken, claims } : undefined;
  } catch {
    return undefined;
  }
}

async function api(method, path, body) {
  const signedIn = token();
  if (!signedIn) {
    showSignIn('Your session ended; sign in again.');
    return undefined;
  }
  const response = await fetch(`${config.apiBase}${path}`, {
    method,
    headers: { authorization: signedIn.idToken, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json().catch(() => ({}));
  if (response.status === 401) {
    sessionStorage.removeItem('idToken');
    showSignIn('Your session ended; sign in again.');
    return undefined;
  }
  return { status: response.status, answer };
}

function showSignIn(message) {
  $('account').hidden = true;
  show('sign-in');
  say(message);
  $('sign-in-button').focus();
}

function showTask(task) {
  current = task;
  $('task-text').textContent = task.text;
  $('task-category').textContent = task.productCategory || '(none)';
  $('task-label').textContent = SENTIMENT_NAMES[task.label] ?? String(task.label);
  $('task-confidence').textContent = `${(task.confidence * 100).toFixed(1)}%`;
  $('task-claim').textContent = new Date(task.claimExpiresAt).toLocaleTimeString();
  show('task');
  $('task-title').focus();
}

async function next() {
  clearTimeout(poll);
  current = undefined;
  const result = await api('GET', '/tasks/next');
  if (!result) return;
  if (result.status === 403) {
    show(undefined);
    say(result.answer.message || 'You are not a reviewer.');
    return;
  }
  if (result.status !== 200) {
    say(result.answer.message || `The review API answered ${result.status}; trying again shortly.`);
    poll = setTimeout(next, POLL_MS);
    return;
  }
  if (result.answer.task) {
    showTask(result.answer.task);
  } else {
    show('empty');
    poll = setTimeout(next, POLL_MS);
  }
}

async function label(value) {
  if (!current || busy) return;
  busy = true;
  const task = current;
  try {
    say(`Saving ${SENTIMENT_NAMES[value]}…`);
    const result = await api('POST', `/tasks/${encodeURIComponent(task.inferenceId)}/label`, { label: value, claimToken: task.claimToken });
    if (!result) return;
    if (result.status === 200 || result.status === 202) say(`Saved ${SENTIMENT_NAMES[result.answer.humanLabel] ?? result.answer.humanLabel}. Next review:`);
    else say(result.answer.message || `The label was not saved (${result.status}).`);
    await next();
  } finally {
    busy = false;
  }
}

function onKey(event) {
  if (event.altKey || event.ctrlKey || event.metaKey || $('task').hidden) return;
  if (event.key in KEYS) {
    event.preventDefault();
    label(KEYS[event.key]);
  }
}

async function start() {
  config = await (await fetch('config.json', { cache: 'no-store' })).json();
  $('sign-in-button').addEventListener('click', () => signIn().catch((e) => say(e.message)));
  $('sign-out').addEventListener('click', signOut);
  $('check-again').addEventListener('click', next);
  for (const button of document.querySelectorAll('.choice')) button.addEventListener('click', () => label(Number(button.dataset.label)));
  document.addEventListener('keydown', onKey);
  $('task-title').tabIndex = -1;
  const params = new URLSearchParams(location.search);
  if (params.has('error')) {
    history.replaceState(null, '', '/');
    showSignIn(`Sign-in did not complete (${params.get('error_description') || params.get('error')}); sign in again.`);
    return;
  }
  if (params.has('code')) {
    try {
      await finishSignIn(params);
    } catch (error) {
      showSignIn(error.message);
      return;
    }
  }
  const signedIn = token();
  if (!signedIn) {
    showSignIn('Signed out.');
    return;
  }
  $('reviewer').textContent = `Signed in as ${signedIn.claims['cognito:username'] || signedIn.claims.email || 'reviewer'}`;
  $('account').hidden = false;
  say('');
  await next();
}

start().catch((error) => say(error.message || String(error)));
