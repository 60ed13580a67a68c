// Binglian's properties in a BPMN file's extension elements, read and written the way
// processes/bpmn_file.py and processes/elements.py read them:
//   <camunda:properties><camunda:property name="..." value="..."/></camunda:properties>
//   <spiffworkflow:properties><spiffworkflow:property .../></spiffworkflow:properties>
//   <camunda:formData><camunda:formField id label type>…<camunda:constraint name="required"/>
//
// No moddle descriptor is registered for either tool's namespace: bpmn-js then keeps every
// element of those namespaces as a generic element and writes it back unchanged, so that a
// file from Camunda Modeler or SpiffArena keeps all it had. The functions below work on those
// generic elements and return commands for the properties panel's multi-command executor, so
// that each edit is one step of undo.

export const CAMUNDA_NS = 'http://camunda.org/schema/1.0/bpmn';
export const SPIFF_NS = 'http://spiffworkflow.org/bpmn/schema/1.0/core';

const DIALECTS = {
  camunda: { ns: CAMUNDA_NS, prefix: 'camunda' },
  spiff: { ns: SPIFF_NS, prefix: 'spiffworkflow' }
};

export function isGeneric(node, ns, localName) {
  const descriptor = node && node.$descriptor;
  return Boolean(descriptor && descriptor.isGeneric && descriptor.ns &&
    descriptor.ns.uri === ns && descriptor.ns.localName === localName);
}

function values(bo) {
  const extensionElements = bo.get('extensionElements');
  return (extensionElements && extensionElements.get('values')) || [];
}

function children(node, ns, localName) {
  return (node.$children || []).filter((child) => isGeneric(child, ns, localName));
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

function createGeneric(moddle, ns, prefix, localName, attributes, parent) {
  const node = moddle.createAny(`${prefix}:${localName}`, ns, attributes);
  node.$parent = parent;
  return node;
}

// Commands that add a container (camunda:properties, camunda:formData) to the element.
function addContainer(element, bo, container, bpmnFactory) {
  const extensionElements = bo.get('extensionElements');
  if (!extensionElements) {
    const created = bpmnFactory.create('bpmn:ExtensionElements', { values: [ container ] });
    created.$parent = bo;
    container.$parent = created;
    return [ update(element, bo, { extensionElements: created }) ];
  }
  container.$parent = extensionElements;
  return [ update(element, extensionElements, { values: [ ...values(bo), container ] }) ];
}

function removeContainer(element, bo, container) {
  const extensionElements = bo.get('extensionElements');
  return [ update(element, extensionElements, { values: values(bo).filter((v) => v !== container) }) ];
}

// --- properties ------------------------------------------------------------------------------

function propertyNodes(bo) {
  const found = [];
  for (const ns of [ CAMUNDA_NS, SPIFF_NS ]) {
    for (const container of values(bo).filter((v) => isGeneric(v, ns, 'properties'))) {
      for (const property of children(container, ns, 'property')) {
        found.push({ container, property, ns });
      }
    }
  }
  return found;
}

// name -> value; SpiffArena's win over Camunda's, as in extension_properties().
export function readProperties(bo) {
  const found = {};
  for (const { property } of propertyNodes(bo)) {
    found[property.name || ''] = property.value == null ? '' : String(property.value);
  }
  return found;
}

export function readProperty(bo, name) {
  const value = readProperties(bo)[name];
  return value == null ? '' : value;
}

// Commands that set one property (an empty value removes it), in the file's dialect.
export function setPropertyCommands({ element, bo, name, value, dialect, moddle, bpmnFactory }) {
  const existing = propertyNodes(bo).filter(({ property }) => property.name === name);
  const text = value == null ? '' : String(value).trim();
  if (!text) {
    return removeProperties(element, bo, existing);
  }
  if (existing.length) {
    return existing.map(({ property }) => update(element, property, { value: text }));
  }
  const { ns, prefix } = DIALECTS[dialect] || DIALECTS.camunda;
  const container = values(bo).find((v) => isGeneric(v, ns, 'properties'));
  if (container) {
    const property = createGeneric(moddle, ns, prefix, 'property', { name, value: text }, container);
    return [ update(element, container, { $children: [ ...(container.$children || []), property ] }) ];
  }
  const created = moddle.createAny(`${prefix}:properties`, ns, {});
  created.$children = [ createGeneric(moddle, ns, prefix, 'property', { name, value: text }, created) ];
  return addContainer(element, bo, created, bpmnFactory);
}

function removeProperties(element, bo, existing) {
  const commands = [];
  const emptied = [];
  for (const container of new Set(existing.map((found) => found.container))) {
    const kept = (container.$children || []).filter((child) => !existing.some(({ property }) => property === child));
    if (kept.length) {
      commands.push(update(element, container, { $children: kept }));
    } else {
      emptied.push(container);
    }
  }
  if (emptied.length) {
    // one command for all emptied containers: each command must see the list the one before left
    const extensionElements = bo.get('extensionElements');
    commands.push(update(element, extensionElements, { values: values(bo).filter((v) => !emptied.includes(v)) }));
  }
  return commands;
}

// --- form fields (always camunda:formData: the one form Binglian reads) ----------------------

function formData(bo) {
  return values(bo).find((v) => isGeneric(v, CAMUNDA_NS, 'formData'));
}

export function formFields(bo) {
  const container = formData(bo);
  return container ? children(container, CAMUNDA_NS, 'formField') : [];
}

export function isRequired(field) {
  return children(field, CAMUNDA_NS, 'validation')
    .some((validation) => children(validation, CAMUNDA_NS, 'constraint').some((c) => c.name === 'required'));
}

// `label(index)` names the new field in the designer's language (it is the designer's to change).
export function addFormFieldCommands({ element, bo, moddle, bpmnFactory, label }) {
  const taken = new Set(formFields(bo).map((field) => field.id));
  let index = taken.size + 1;
  while (taken.has(`field_${index}`)) index++;
  const attributes = { id: `field_${index}`, label: label(index), type: 'string' };
  const container = formData(bo);
  if (container) {
    const field = createGeneric(moddle, CAMUNDA_NS, 'camunda', 'formField', attributes, container);
    return [ update(element, container, { $children: [ ...(container.$children || []), field ] }) ];
  }
  const created = moddle.createAny('camunda:formData', CAMUNDA_NS, {});
  created.$children = [ createGeneric(moddle, CAMUNDA_NS, 'camunda', 'formField', attributes, created) ];
  return addContainer(element, bo, created, bpmnFactory);
}

export function removeFormFieldCommands({ element, bo, field }) {
  const container = formData(bo);
  const kept = (container.$children || []).filter((child) => child !== field);
  if (!kept.some((child) => isGeneric(child, CAMUNDA_NS, 'formField'))) {
    return removeContainer(element, bo, container);
  }
  return [ update(element, container, { $children: kept }) ];
}

export function updateFormFieldCommands({ element, field, properties }) {
  return [ update(element, field, properties) ];
}

export function setRequiredCommands({ element, field, required, moddle }) {
  const validations = children(field, CAMUNDA_NS, 'validation');
  if (required) {
    if (isRequired(field)) return [];
    const validation = createGeneric(moddle, CAMUNDA_NS, 'camunda', 'validation', {}, field);
    validation.$children = [ createGeneric(moddle, CAMUNDA_NS, 'camunda', 'constraint', { name: 'required' }, validation) ];
    return [ update(element, field, { $children: [ ...(field.$children || []), validation ] }) ];
  }
  const commands = [];
  for (const validation of validations) {
    const kept = (validation.$children || []).filter((c) => !(isGeneric(c, CAMUNDA_NS, 'constraint') && c.name === 'required'));
    commands.push(update(element, validation, { $children: kept }));
  }
  return commands;
}
