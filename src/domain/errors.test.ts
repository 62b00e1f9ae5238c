// Every refusal the server can send has Italian (the portal's people read it in their language):
// the type of AppError and its helpers asks for it, and this walks the sources for what the type
// cannot see (a translation left out with a cast, an Italian text that is the English one, a value
// the English names that the Italian drops).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..');
/** The helpers of errors.ts and where their message and translations stand. */
const HELPERS: Record<string, { message: number; translations: number }> = {
  notFound: { message: 1, translations: 2 },
  forbidden: { message: 1, translations: 2 },
  unprocessable: { message: 1, translations: 2 },
};

type Site = { where: string; message: ts.Expression | undefined; translations: ts.Expression | undefined };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Every `new AppError(...)` and helper call in src/, with its English message and its translations. */
function constructionSites(): Site[] {
  const sites: Site[] = [];
  for (const path of sourceFiles(SRC)) {
    const text = readFileSync(path, 'utf8');
    if (!/AppError|notFound|forbidden|unprocessable/.test(text)) continue;
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      const where = `${relative(SRC, path)}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      if (ts.isNewExpression(node) && node.expression.getText() === 'AppError') {
        sites.push({ where, message: node.arguments?.[2], translations: node.arguments?.[4] });
      } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && HELPERS[node.expression.text]) {
        const at = HELPERS[node.expression.text]!;
        sites.push({ where, message: node.arguments[at.message], translations: node.arguments[at.translations] });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return sites;
}

/** The Italian of a translations argument written out in place; undefined for one passed on (`e.translations`). */
function italian(translations: ts.Expression): ts.Expression | null | undefined {
  if (!ts.isObjectLiteralExpression(translations)) return undefined;
  for (const p of translations.properties) {
    if (p.name?.getText() !== 'it') continue;
    return ts.isPropertyAssignment(p) ? p.initializer : undefined;
  }
  return null;
}

/** What a message interpolates, with `en` read as `it` so that a helper's `${en}` matches its `${it}`. */
const interpolations = (message: ts.Expression) =>
  ts.isTemplateExpression(message) ? message.templateSpans.map((s) => s.expression) : [];
const asItalian = (e: ts.Expression) => e.getText().replace(/\ben\b/g, 'it');
const hasWords = (n: ts.Node): boolean => ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateExpression(n) || ts.forEachChild(n, hasWords) === true;

describe('Italian for every refusal', () => {
  const sites = constructionSites();

  it('finds the construction sites in src/', () => {
    expect(sites.length).toBeGreaterThan(150);
  });

  it('gives every AppError an Italian text', () => {
    const missing = sites.filter((s) => !s.translations || italian(s.translations) === null).map((s) => s.where);
    expect(missing).toEqual([]);
  });

  it('writes the Italian in Italian and keeps the values the English names', () => {
    const wrong: string[] = [];
    for (const s of sites) {
      const it = s.translations && italian(s.translations);
      if (!it || !s.message) continue;
      if (it.getText().slice(1, -1) === s.message.getText().slice(1, -1)) wrong.push(`${s.where}: the Italian is the English text`);
      // A value the English names (`${minutes}`, `${room.name}`) is in the Italian, as it is or put
      // into Italian (`${STATE_IT[state]}`); a choice between English phrases is left to the reader.
      const italianValues = interpolations(it).map(asItalian);
      for (const v of interpolations(s.message).filter((e) => !hasWords(e)).map(asItalian)) {
        if (!italianValues.some((i) => i.includes(v))) wrong.push(`${s.where}: the Italian leaves out \${${v}}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
