/**
 * A small self-contained playground: an operation, its variables, and the answers. Queries and
 * mutations go over HTTP; subscriptions over graphql-ws on the same endpoint, each message shown as
 * it arrives. Nothing is loaded from elsewhere, so it works offline.
 */
const example = `# Create a task, then copy its id into the variables and watch it.
mutation Create {
  createSleepTask(input: { duration: 5 }) { id state total }
}

subscription Watch($id: ID!) {
  taskProgress(id: $id) { id state progress current total ... on SleepTask { result { status } } }
}

query List {
  tasks(first: 10) { totalCount nodes { id name state progress finishedAt } pageInfo { hasNextPage endCursor } }
}`;

export const playgroundPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Task service playground</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
  section { display: flex; flex-direction: column; padding: 8px; gap: 6px; min-height: 0; }
  textarea, pre { font: 13px ui-monospace, monospace; border: 1px solid #bbb; border-radius: 4px; padding: 6px; margin: 0; }
  #query { flex: 3; } #variables { flex: 1; } pre { flex: 1; overflow: auto; white-space: pre-wrap; }
  .bar { display: flex; gap: 6px; align-items: center; } label { font-weight: 600; }
</style>
</head>
<body>
<section>
  <div class="bar"><label for="operation">Operation</label>
    <select id="operation" aria-label="Operation to run"></select>
    <button id="run">Run</button><button id="stop">Stop</button></div>
  <textarea id="query" aria-label="GraphQL document" spellcheck="false"></textarea>
  <label for="variables">Variables (JSON)</label>
  <textarea id="variables" spellcheck="false">{}</textarea>
</section>
<section>
  <label for="result">Result</label>
  <pre id="result" aria-live="polite"></pre>
</section>
<script>
const $ = (id) => document.getElementById(id);
$('query').value = ${JSON.stringify(example)};
let socket = null;
function operations() {
  return [...$('query').value.matchAll(/\\b(query|mutation|subscription)\\s+(\\w+)/g)].map((m) => ({ type: m[1], name: m[2] }));
}
function refreshOperations() {
  const select = $('operation'), current = select.value;
  select.innerHTML = operations().map((o) => '<option>' + o.name + '</option>').join('');
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}
$('query').addEventListener('input', refreshOperations);
refreshOperations();
function show(value, append) {
  const text = JSON.stringify(value, null, 2);
  $('result').textContent = append ? $('result').textContent + text + '\\n' : text;
}
function stop() { if (socket) { socket.close(1000); socket = null; } }
$('stop').onclick = stop;
$('run').onclick = async () => {
  stop();
  let variables;
  try { variables = JSON.parse($('variables').value || '{}'); } catch (e) { return show({ error: 'Variables are not valid JSON' }); }
  const operationName = $('operation').value || undefined;
  const body = { query: $('query').value, variables, operationName };
  const type = (operations().find((o) => o.name === operationName) || {}).type;
  if (type !== 'subscription') {
    const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return show(await response.json());
  }
  $('result').textContent = '';
  const url = location.origin.replace(/^http/, 'ws') + '/graphql';
  const ws = socket = new WebSocket(url, 'graphql-transport-ws');
  ws.onopen = () => ws.send(JSON.stringify({ type: 'connection_init' }));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: body }));
    else if (message.type === 'next') show(message.payload, true);
    else if (message.type === 'error') show({ errors: message.payload }, true);
    else if (message.type === 'complete') { show('subscription complete', true); stop(); }
    else if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
  };
  ws.onclose = (event) => { if (socket === ws && event.code !== 1000) show('socket closed: ' + event.code + ' ' + event.reason, true); };
};
</script>
</body>
</html>
`;
