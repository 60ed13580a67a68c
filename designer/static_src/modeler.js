// The designer's modeler page: bpmn-js with the properties panel and Binglian's properties,
// live validation, drafts, download and deploy. Bundled by esbuild (`make node`); the page
// passes everything it needs in the JSON script #modeler-data (see designer/views.py). It speaks
// the page's language (<html lang>): ./i18n.js gives bpmn-js a translate service in that language.

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import { pageLanguage, translateModule, translator } from './i18n';
import BinglianPropertiesModule from './properties';
import { startLiveValidation } from './validation';

const root = document.getElementById('modeler');
const data = JSON.parse(document.getElementById('modeler-data').textContent);
const csrfToken = document.querySelector('input[name=csrfmiddlewaretoken]').value;
const result = root.querySelector('[data-result]');
const state = { draft: data.draft, basedOn: data.based_on };
const translate = translator(pageLanguage());
// For the browser tests: what the modeler asked to translate and the dictionary lacked.
window.binglianUntranslated = translate.missing;

const modeler = new BpmnModeler({
  container: '#modeler-canvas',
  propertiesPanel: { parent: '#modeler-properties' },
  additionalModules: [
    BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, BinglianPropertiesModule, translateModule(translate)
  ],
  binglian: { departments: data.departments, licenceKinds: data.licence_kinds, dialect: data.dialect }
});
// For scripted edits (and the browser tests): the modeling API is reachable from the page.
window.binglianModeler = modeler;

function say(kind, text) {
  result.hidden = false;
  result.className = `bl-result ${kind}`;
  result.dataset.kind = kind;
  result.textContent = text;
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken },
    body: JSON.stringify(body),
    credentials: 'same-origin'
  });
  let payload = {};
  try {
    payload = await response.json();
  } catch (error) {
    payload = { detail: `${response.status} ${response.statusText}` };
  }
  return { response, payload };
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function showDraft(draft) {
  state.draft = draft;
  root.querySelector('[data-draft-label]').textContent = translate('draft {id} r{revision}', draft);
  root.dataset.draft = String(draft.id);
  if (window.location.pathname !== draft.url) {
    window.history.replaceState(null, '', draft.url);
  }
}

async function saveDraft() {
  const xml = await currentXml();
  const { response, payload } = state.draft
    ? await post(data.urls.draft.replace('{id}', state.draft.id), { xml, revision: state.draft.revision })
    : await post(data.urls.drafts, { xml, based_on: state.basedOn });
  if (response.ok) {
    showDraft(payload.draft);
    say('success', translate('Draft saved (revision {revision}).', payload.draft));
  } else {
    say('error', payload.detail || response.statusText);
  }
}

async function deploy() {
  const xml = await currentXml();
  const { response, payload } = await post(data.urls.deploy, { xml, draft: state.draft ? state.draft.id : null });
  if (response.ok) {
    root.dataset.deployedVersion = String(payload.version.number);
    say('success', payload.message);
  } else {
    say('error', payload.detail || response.statusText);
  }
}

async function download() {
  const xml = await currentXml();
  const link = document.createElement('a');
  const key = (modeler.getDefinitions().rootElements || []).find((e) => e.$type === 'bpmn:Process');
  link.href = URL.createObjectURL(new Blob([ xml ], { type: 'application/xml' }));
  link.download = `${key ? key.id : 'process'}.bpmn`;
  link.click();
  URL.revokeObjectURL(link.href);
}

root.querySelector('[data-save]').addEventListener('click', saveDraft);
root.querySelector('[data-deploy]').addEventListener('click', deploy);
root.querySelector('[data-download]').addEventListener('click', download);

const validation = startLiveValidation(modeler, {
  url: data.urls.validate,
  translate,
  csrfToken,
  root,
  list: root.querySelector('[data-problems]'),
  status: root.querySelector('[data-validation-status]')
});

modeler.importXML(data.xml).then(({ warnings }) => {
  modeler.get('canvas').zoom('fit-viewport');
  if (warnings.length) {
    say('warning', translate('Import warnings: {warnings}', { warnings: warnings.map((w) => w.message).join('; ') }));
  }
  root.dataset.loaded = '1';
  validation.run();
}).catch((error) => {
  root.dataset.state = 'error';
  say('error', translate('Cannot open this file: {error}', { error: error.message }));
});
