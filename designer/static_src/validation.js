// Live validation: after each change (debounced) the diagram's XML goes to /designer/validate/,
// which runs the same checks as `manage.py lint`. Each problem that names an element is marked
// on the diagram (a red outline and a badge with the number of problems); all are listed below.
// The problems come from the server in the page's language; the words around them go through
// `translate` (./i18n.js).

const DELAY_MS = 600;

export function startLiveValidation(modeler, { url, translate, csrfToken, root, list, status, onResult }) {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const selection = modeler.get('selection');
  let timer = null;
  let asked = 0;
  let marked = [];

  // A process's problems belong to its pool on a collaboration diagram.
  function shapeFor(id) {
    if (!id) return null;
    return registry.get(id) ||
      registry.find((e) => e.type === 'bpmn:Participant' && e.businessObject.processRef && e.businessObject.processRef.id === id) ||
      null;
  }

  function clear() {
    for (const id of marked) {
      canvas.removeMarker(id, 'bl-problem');
    }
    overlays.remove({ type: 'bl-problem' });
    marked = [];
  }

  function show(problems) {
    clear();
    list.replaceChildren();
    const counts = new Map();
    for (const problem of problems) {
      const shape = shapeFor(problem.element);
      const item = document.createElement('li');
      item.dataset.problem = '';
      item.dataset.element = problem.element || '';
      const where = document.createElement('span');
      where.className = 'where';
      where.textContent = [ problem.line ? translate('line {line}', problem) : '', problem.element || '' ]
        .filter(Boolean).join(' · ');
      item.append(where, document.createTextNode(problem.message));
      if (shape) {
        counts.set(shape, (counts.get(shape) || 0) + 1);
        item.addEventListener('click', () => { selection.select(shape); canvas.scrollToElement(shape); });
      }
      list.append(item);
    }
    for (const [ shape, count ] of counts) {
      canvas.addMarker(shape.id, 'bl-problem');
      marked.push(shape.id);
      if (shape.waypoints) continue; // flows: the outline is enough
      const badge = document.createElement('div');
      badge.className = 'bl-problem-badge';
      badge.dataset.problemBadge = shape.id;
      badge.textContent = String(count);
      overlays.add(shape, 'bl-problem', { position: { top: -8, right: 8 }, html: badge });
    }
    if (!problems.length) {
      const ok = document.createElement('li');
      ok.className = 'none';
      ok.textContent = translate('No problems: ready to deploy.');
      list.append(ok);
    }
    root.dataset.state = problems.length ? 'problems' : 'ok';
    root.dataset.problemCount = String(problems.length);
    const count = problems.length;
    status.textContent = count ? translate(count === 1 ? '1 problem' : '{count} problems', { count }) : translate('Valid');
  }

  async function run() {
    const mine = ++asked;
    root.dataset.state = 'checking';
    status.textContent = translate('Checking…');
    try {
      const { xml } = await modeler.saveXML({ format: true });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken },
        body: JSON.stringify({ xml }),
        credentials: 'same-origin'
      });
      const result = await response.json();
      if (mine !== asked) return; // a newer change is being checked
      if (!response.ok) throw new Error(result.detail || response.statusText);
      show(result.problems);
      if (onResult) onResult(result);
    } catch (error) {
      if (mine !== asked) return;
      root.dataset.state = 'error';
      status.textContent = translate('Could not validate: {error}', { error: error.message });
    }
  }

  function schedule() {
    clearTimeout(timer);
    root.dataset.state = 'pending';
    timer = setTimeout(run, DELAY_MS);
  }

  modeler.on('commandStack.changed', schedule);
  return { run, schedule };
}
