// Binglian's group in the properties panel: what processes/elements.py reads from a BPMN file.
//   lane              -> department (property "department"; else the lane id without "lane_")
//   user task         -> promised / statutory limit in working days, outcomes, where it may send
//                        back to (退回), post-check of a commitment (告知承诺制), special step,
//                        form fields (camunda:formData)
//   any task          -> its results: licences it issues or revokes, whether the case concludes
//   flow from an exclusive or inclusive gateway -> its condition
// Every edit is a command: undo works, and live validation sees it.
// Every word goes through the `translate` service (./i18n.js): English here, Chinese in ./zh_hans.js.

import { h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry, ListGroup, SelectEntry, TextFieldEntry,
  isCheckboxEntryEdited, isSelectEntryEdited, isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import * as ext from './extensions';

const WHOLE_DAYS = /^\d+$/;
const OUTCOME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LIMITS = {
  promised_limit_working_days: { id: 'binglian-promised-limit', label: 'Promised limit (working days)' },
  statutory_limit_working_days: { id: 'binglian-statutory-limit', label: 'Statutory limit (working days)' }
};
const FIELD_TYPES = [ 'string', 'long', 'boolean', 'date', 'enum' ];

function useExecute() {
  const commandStack = useService('commandStack');
  return (commands) => {
    if (commands.length) {
      commandStack.execute('properties-panel.multi-command-executor', commands);
    }
  };
}

function usePropertyWriter(element) {
  const execute = useExecute();
  const moddle = useService('moddle');
  const bpmnFactory = useService('bpmnFactory');
  const { dialect } = useService('config.binglian');
  const bo = getBusinessObject(element);
  return (name, value) => execute(ext.setPropertyCommands({ element, bo, name, value, dialect, moddle, bpmnFactory }));
}

// --- lanes -----------------------------------------------------------------------------------

function DepartmentEntry({ element, id }) {
  const { departments } = useService('config.binglian');
  const translate = useService('translate');
  const write = usePropertyWriter(element);
  const bo = getBusinessObject(element);
  const current = ext.readProperty(bo, 'department');
  const fromId = (bo.id || '').replace(/^lane_/i, '');
  const options = [
    { value: '', label: translate('From the lane id: {id}', { id: fromId }) },
    // the department's name comes in the page's language (designer/views.py)
    ...departments.map((d) => ({ value: d.code, label: `${d.name} (${d.code})` }))
  ];
  if (current && !departments.some((d) => d.code === current)) {
    options.push({ value: current, label: translate('{code} (created on deploy)', { code: current }) });
  }
  return h(SelectEntry, {
    element, id,
    label: translate('Department'),
    description: translate('The lane is a department: its user tasks go to that department\'s queue.'),
    getValue: () => current,
    setValue: (value) => write('department', value),
    getOptions: () => options
  });
}

// --- user tasks ------------------------------------------------------------------------------

function LimitEntry({ element, id, property }) {
  const translate = useService('translate');
  const write = usePropertyWriter(element);
  const bo = getBusinessObject(element);
  const validate = (value) => {
    const text = (value || '').trim();
    if (text && !WHOLE_DAYS.test(text)) {
      return translate('A whole number of working days.');
    }
    const props = ext.readProperties(bo);
    const promised = property === 'promised_limit_working_days' ? text : props.promised_limit_working_days;
    const statutory = property === 'statutory_limit_working_days' ? text : props.statutory_limit_working_days;
    if (WHOLE_DAYS.test(promised || '') && WHOLE_DAYS.test(statutory || '') && Number(promised) > Number(statutory)) {
      return translate('The promised limit may not exceed the statutory limit.');
    }
  };
  return h(TextFieldEntry, {
    element, id,
    label: translate(LIMITS[property].label),
    getValue: () => ext.readProperty(bo, property),
    setValue: (value, error) => error || write(property, value),
    validate,
    debounce: useService('debounceInput')
  });
}

function OutcomesEntry({ element, id }) {
  const translate = useService('translate');
  const write = usePropertyWriter(element);
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element, id,
    label: translate('Outcomes'),
    description: translate('Comma-separated, e.g. approve,reject,correction; gateways route on <task id>_outcome.'),
    getValue: () => ext.readProperty(bo, 'outcomes'),
    setValue: (value, error) => error || write('outcomes', value.split(',').map((o) => o.trim()).filter(Boolean).join(',')),
    validate: (value) => (value || '').split(',').map((o) => o.trim()).filter(Boolean).every((o) => OUTCOME.test(o))
      ? null : translate('Each outcome is letters, digits and underscores.'),
    debounce: useService('debounceInput')
  });
}

// 退回: where a clerk may send the case back to from this step (engine/rewind.py).
function SendBackEntry({ element, id }) {
  const translate = useService('translate');
  const registry = useService('elementRegistry');
  const write = usePropertyWriter(element);
  const bo = getBusinessObject(element);
  const validate = (value) => {
    const text = (value || '').trim();
    if (!text || text.toLowerCase() === 'none') {
      return null;
    }
    const userTasks = new Set(registry.filter((e) => is(e, 'bpmn:UserTask')).map((e) => e.businessObject.id));
    const unknown = text.split(',').map((s) => s.trim()).filter((s) => s && !userTasks.has(s));
    return unknown.length ? translate('Not a user task of this diagram: {ids}', { ids: unknown.join(', ') }) : null;
  };
  return h(TextFieldEntry, {
    element, id,
    label: translate('May send back to'),
    description: translate('User task ids, separated by commas. Empty: any earlier step; none: no send-back.'),
    getValue: () => ext.readProperty(bo, 'send_back_to'),
    setValue: (value, error) => error || write('send_back_to', value.split(',').map((s) => s.trim()).filter(Boolean).join(',')),
    validate,
    debounce: useService('debounceInput')
  });
}

function FlagEntry({ element, id, property, label, description }) {
  const translate = useService('translate');
  const write = usePropertyWriter(element);
  const bo = getBusinessObject(element);
  return h(CheckboxEntry, {
    element, id,
    label: translate(label),
    description: description && translate(description),
    getValue: () => [ '1', 'true', 'yes' ].includes(ext.readProperty(bo, property).toLowerCase()),
    setValue: (checked) => write(property, checked ? 'true' : '')
  });
}

// --- results: licences and the case's conclusion (engine/effects.py) ------------------------

function KindsEntry({ element, id, property, label }) {
  const translate = useService('translate');
  const write = usePropertyWriter(element);
  const { licenceKinds } = useService('config.binglian');
  const bo = getBusinessObject(element);
  const known = licenceKinds.map((kind) => kind.code);
  return h(TextFieldEntry, {
    element, id,
    label: translate(label),
    description: translate('Comma-separated: {kinds}', { kinds: licenceKinds.map((kind) => `${kind.code} (${kind.name})`).join(', ') }),
    getValue: () => ext.readProperty(bo, property),
    setValue: (value, error) => error || write(property, value.split(',').map((k) => k.trim()).filter(Boolean).join(',')),
    validate: (value) => {
      const unknown = (value || '').split(',').map((k) => k.trim()).filter((k) => k && !known.includes(k));
      return unknown.length ? translate('No such licence kind: {kinds}', { kinds: unknown.join(', ') }) : null;
    },
    debounce: useService('debounceInput')
  });
}

// Open where it matters: on other tasks it is the only group; on a user task, once it is used.
function resultsGroup(element, translate) {
  const props = ext.readProperties(getBusinessObject(element));
  return {
    id: 'binglian-results', label: translate('Binglian: results and licences'),
    shouldOpen: !is(element, 'bpmn:UserTask') || [ 'issues', 'revokes', 'concludes' ].some((name) => props[name]),
    entries: [
      { id: 'binglian-issues', component: KindsEntry, property: 'issues', label: 'Issues licences', isEdited: isTextFieldEntryEdited },
      { id: 'binglian-revokes', component: KindsEntry, property: 'revokes', label: 'Revokes licences', isEdited: isTextFieldEntryEdited },
      { id: 'binglian-concludes', component: FlagEntry, property: 'concludes', isEdited: isCheckboxEntryEdited,
        label: 'The case\'s result is out',
        description: 'The case\'s clock stops here.' }
    ]
  };
}

// --- form fields -----------------------------------------------------------------------------

function FieldTextEntry({ element, id, field, attribute, label }) {
  const translate = useService('translate');
  const execute = useExecute();
  return h(TextFieldEntry, {
    element, id,
    label: translate(label),
    getValue: () => field[attribute] || '',
    setValue: (value, error) => error || execute(ext.updateFormFieldCommands({ element, field, properties: { [attribute]: value.trim() } })),
    validate: attribute === 'id' ? (value) => (OUTCOME.test((value || '').trim()) ? null : translate('The ID is letters, digits and underscores.')) : undefined,
    debounce: useService('debounceInput')
  });
}

function FieldTypeEntry({ element, id, field }) {
  const translate = useService('translate');
  const execute = useExecute();
  return h(SelectEntry, {
    element, id,
    label: translate('Type'),
    getValue: () => field.type || 'string',
    setValue: (value) => execute(ext.updateFormFieldCommands({ element, field, properties: { type: value } })),
    getOptions: () => FIELD_TYPES.map((type) => ({ value: type, label: type }))
  });
}

function FieldRequiredEntry({ element, id, field }) {
  const execute = useExecute();
  const moddle = useService('moddle');
  const translate = useService('translate');
  return h(CheckboxEntry, {
    element, id,
    label: translate('Required'),
    getValue: () => ext.isRequired(field),
    setValue: (required) => execute(ext.setRequiredCommands({ element, field, required, moddle }))
  });
}

function formFieldsGroup(element, injector) {
  const bo = getBusinessObject(element);
  const commandStack = injector.get('commandStack');
  const translate = injector.get('translate');
  const execute = (commands) => commands.length && commandStack.execute('properties-panel.multi-command-executor', commands);
  const items = ext.formFields(bo).map((field, index) => {
    const prefix = `binglian-form-field-${index}`;
    return {
      id: prefix,
      label: field.label || field.id || '',
      entries: [
        { id: `${prefix}-id`, component: FieldTextEntry, field, attribute: 'id', label: 'ID', isEdited: isTextFieldEntryEdited },
        { id: `${prefix}-label`, component: FieldTextEntry, field, attribute: 'label', label: 'Label', isEdited: isTextFieldEntryEdited },
        { id: `${prefix}-type`, component: FieldTypeEntry, field, isEdited: isSelectEntryEdited },
        { id: `${prefix}-required`, component: FieldRequiredEntry, field, isEdited: isCheckboxEntryEdited }
      ],
      autoFocusEntry: `${prefix}-label`,
      remove: (event) => {
        event.stopPropagation();
        execute(ext.removeFormFieldCommands({ element, bo, field }));
      }
    };
  });
  return {
    id: 'binglian-form-fields',
    label: translate('Form fields'),
    component: ListGroup,
    items,
    shouldOpen: true,
    add: (event) => {
      event.stopPropagation();
      execute(ext.addFormFieldCommands({
        element, bo, moddle: injector.get('moddle'), bpmnFactory: injector.get('bpmnFactory'),
        label: (index) => translate('Field {index}', { index })
      }));
    }
  };
}

// --- sequence flows --------------------------------------------------------------------------

function ConditionEntry({ element, id }) {
  const translate = useService('translate');
  const execute = useExecute();
  const bpmnFactory = useService('bpmnFactory');
  const bo = getBusinessObject(element);
  return h(TextFieldEntry, {
    element, id,
    label: translate('Condition'),
    description: translate('For example: {example}', { example: 'police_review_outcome == \'correction\'' }),
    getValue: () => (bo.conditionExpression && bo.conditionExpression.body) || '',
    setValue: (value) => {
      const text = value.trim();
      const expression = text ? bpmnFactory.create('bpmn:FormalExpression', { body: text }) : undefined;
      execute([ { cmd: 'element.updateModdleProperties', context: { element, moddleElement: bo, properties: { conditionExpression: expression } } } ]);
    },
    debounce: useService('debounceInput')
  });
}

// --- the provider ----------------------------------------------------------------------------

function groupsFor(element, injector) {
  const bo = getBusinessObject(element);
  const translate = injector.get('translate');
  if (is(element, 'bpmn:Lane')) {
    return [ {
      id: 'binglian-lane', label: translate('Binglian'), shouldOpen: true,
      entries: [ { id: 'binglian-department', component: DepartmentEntry, isEdited: isSelectEntryEdited } ]
    } ];
  }
  if (is(element, 'bpmn:UserTask')) {
    return [ {
      id: 'binglian-task', label: translate('Binglian: limits and handling'), shouldOpen: true,
      entries: [
        ...Object.entries(LIMITS).map(([ property, { id } ]) => ({ id, component: LimitEntry, property, isEdited: isTextFieldEntryEdited })),
        { id: 'binglian-outcomes', component: OutcomesEntry, isEdited: isTextFieldEntryEdited },
        { id: 'binglian-send-back', component: SendBackEntry, isEdited: isTextFieldEntryEdited },
        { id: 'binglian-post-check', component: FlagEntry, property: 'post_check', isEdited: isCheckboxEntryEdited,
          label: 'Post-check of a commitment',
          description: 'Due within the service item\'s post-check window.' },
        { id: 'binglian-special-step', component: FlagEntry, property: 'special_step', isEdited: isCheckboxEntryEdited,
          label: 'Special step (off the clock)',
          description: 'Hearings, site surveys, expert reviews.' }
      ]
    }, resultsGroup(element, translate), formFieldsGroup(element, injector) ];
  }
  if (is(element, 'bpmn:Task')) {
    return [ resultsGroup(element, translate) ];
  }
  const source = bo.sourceRef;
  if (is(element, 'bpmn:SequenceFlow') && source && (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway'))) {
    return [ {
      id: 'binglian-flow', label: translate('Binglian'), shouldOpen: true,
      entries: [ { id: 'binglian-condition', component: ConditionEntry, isEdited: isTextFieldEntryEdited } ]
    } ];
  }
  return [];
}

function BinglianPropertiesProvider(propertiesPanel, injector) {
  this._injector = injector;
  propertiesPanel.registerProvider(400, this);
}

BinglianPropertiesProvider.prototype.getGroups = function(element) {
  return (groups) => {
    const ours = groupsFor(element, this._injector);
    const general = groups.findIndex((group) => group.id === 'general');
    groups.splice(general + 1, 0, ...ours);
    return groups;
  };
};

BinglianPropertiesProvider.$inject = [ 'propertiesPanel', 'injector' ];

export default {
  __init__: [ 'binglianPropertiesProvider' ],
  binglianPropertiesProvider: [ 'type', BinglianPropertiesProvider ]
};
