// The modeler in one language at a time, the page's: <html lang> is set by Django from the
// language the reader chose (简体中文 by default, English when picked in the menu).
//
// bpmn-js, its properties panel and Binglian's own entries all ask diagram-js's `translate`
// service for every word they show, with the English text as the key. This module replaces that
// service: in Chinese it looks the text up in ./zh_hans.js, in English it returns the text as
// it is. The page's own strings (modeler.js, validation.js) go through the same function.
// Messages from the server (validation problems, refusals) come already translated.

import zhHans from './zh_hans';

const DICTIONARIES = { 'zh-hans': zhHans };

// 'en' or 'zh-hans' (anything not English is Chinese, the site's default language).
export function pageLanguage(doc = document) {
  const lang = (doc.documentElement.getAttribute('lang') || '').toLowerCase();
  return lang.startsWith('en') ? 'en' : 'zh-hans';
}

// A translate function as diagram-js defines it: translate('Open {element}', { element: 'x' }).
// In Chinese, the texts it has no translation for are kept in `missing` (the browser test reads
// them from window.binglianUntranslated): they are shown in English.
export function translator(language) {
  const dictionary = DICTIONARIES[language];
  const missing = new Set();
  function translate(template, replacements = {}) {
    let text = template;
    if (dictionary) {
      if (Object.prototype.hasOwnProperty.call(dictionary, template)) {
        text = dictionary[template];
      } else {
        missing.add(template);
      }
    }
    return text.replace(/{([^}]+)}/g, (placeholder, key) => (key in replacements ? String(replacements[key]) : placeholder));
  }
  translate.language = language;
  translate.missing = missing;
  return translate;
}

// The module that gives bpmn-js (and the properties panel) our translate service.
export function translateModule(translate) {
  return { translate: [ 'value', translate ] };
}
