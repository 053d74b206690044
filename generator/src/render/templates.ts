/**
 * Handlebars environment: templates from templates/<kind>/<name>.<ext>.hbs, partials from
 * templates/partials/, compiled in strict mode (a missing name is an error, never an empty string).
 * Templates hold layout only; the model precomputes every name and flag.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';

export type Template = (context: object) => string;

export interface TemplateSet {
  /** A template by its path under templates/, without .hbs: "ts/roles.ts". */
  get(name: string): Template;
}

const cache = new Map<string, TemplateSet>();

export function loadTemplates(templatesDir: string): TemplateSet {
  const cached = cache.get(templatesDir);
  if (cached) return cached;
  const hbs = Handlebars.create();
  registerHelpers(hbs);
  const partialsDir = join(templatesDir, 'partials');
  for (const file of safeReaddir(partialsDir).sort()) {
    if (!file.endsWith('.hbs')) continue;
    hbs.registerPartial(
      file.replace(/\.hbs$/, '').replace(/\.[a-z]+$/, ''),
      normalize(readFileSync(join(partialsDir, file), 'utf8')),
    );
  }
  const compiled = new Map<string, Template>();
  const set: TemplateSet = {
    get(name) {
      let template = compiled.get(name);
      if (!template) {
        const source = normalize(readFileSync(join(templatesDir, `${name}.hbs`), 'utf8'));
        const render = hbs.compile(source, { strict: true, noEscape: true, preventIndent: false });
        template = (context) => render(context);
        compiled.set(name, template);
      }
      return template;
    },
  };
  cache.set(templatesDir, set);
  return set;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function normalize(source: string): string {
  return source.replace(/\r\n?/g, '\n');
}

function registerHelpers(hbs: typeof Handlebars): void {
  hbs.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('ne', (a: unknown, b: unknown) => a !== b);
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('json', (value: unknown) => JSON.stringify(value));
  /** Pads a string to a width (for aligned C declarations). */
  hbs.registerHelper('pad', (value: unknown, width: unknown) => String(value).padEnd(Number(width)));
}

/**
 * Removes trailing spaces, collapses runs of blank lines to one, ends with exactly one newline. One
 * pass by hand: a regular expression for trailing spaces is tried at every position of a long run.
 */
export function tidy(text: string): string {
  const out: string[] = [];
  let blank = true;
  for (const raw of text.split('\n')) {
    let end = raw.length;
    while (end > 0 && (raw.charCodeAt(end - 1) === 32 || raw.charCodeAt(end - 1) === 9)) end--;
    const line = end === raw.length ? raw : raw.slice(0, end);
    if (line === '') {
      if (!blank) out.push('');
      blank = true;
    } else {
      out.push(line);
      blank = false;
    }
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n')}\n`;
}
