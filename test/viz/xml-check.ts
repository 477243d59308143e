/**
 * A strict little XML well-formedness checker for the SVG the viz module writes (node has
 * no XML parser): balanced and properly nested tags, one root, quoted attributes without
 * raw '<' or '&', and text with no '<' and only known entities. Throws on the first problem.
 */
export interface XmlSummary {
  root: string;
  /** Element count per tag name. */
  counts: Record<string, number>;
  /** Every element's attributes in document order, with its tag. */
  elements: Array<{ tag: string; attrs: Record<string, string> }>;
  /** Text content of every <text> and <title> element, entities decoded. */
  texts: string[];
}

const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const NAME = /[A-Za-z_][\w.:-]*/y;

function checkEntities(s: string, where: string): void {
  for (let i = s.indexOf('&'); i !== -1; i = s.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(s)) throw new Error(`bare '&' in ${where}: ${JSON.stringify(s.slice(i, i + 12))}`);
  }
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

export function checkXml(xml: string): XmlSummary {
  const stack: string[] = [];
  const counts: Record<string, number> = {};
  const elements: XmlSummary['elements'] = [];
  const texts: string[] = [];
  let root = '';
  let i = 0;
  let textTarget: string | null = null;
  let textBuf = '';
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = lt === -1 ? xml.slice(i) : xml.slice(i, lt);
    if (chunk.includes('>')) throw new Error(`raw '>' in text: ${JSON.stringify(chunk.slice(0, 40))}`);
    checkEntities(chunk, 'text');
    if (stack.length === 0 && chunk.trim() !== '') throw new Error(`text outside the root: ${JSON.stringify(chunk.slice(0, 40))}`);
    if (textTarget) textBuf += chunk;
    if (lt === -1) break;
    if (xml.startsWith('</', lt)) {
      NAME.lastIndex = lt + 2;
      const m = NAME.exec(xml);
      if (!m) throw new Error(`bad closing tag at ${lt}`);
      const end = lt + 2 + m[0].length;
      if (xml[end] !== '>') throw new Error(`junk in closing tag </${m[0]} at ${lt}`);
      const open = stack.pop();
      if (open !== m[0]) throw new Error(`</${m[0]}> closes <${open ?? 'nothing'}>`);
      if (m[0] === textTarget) {
        texts.push(decode(textBuf));
        textTarget = null;
        textBuf = '';
      }
      i = end + 1;
      continue;
    }
    NAME.lastIndex = lt + 1;
    const m = NAME.exec(xml);
    if (!m) throw new Error(`bad tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 20))}`);
    const tag = m[0];
    if (stack.length === 0) {
      if (root) throw new Error(`second root element <${tag}>`);
      root = tag;
    }
    let j = lt + 1 + tag.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (xml[j] === ' ' || xml[j] === '\n') j++;
      if (xml.startsWith('/>', j)) {
        j += 2;
        break;
      }
      if (xml[j] === '>') {
        j += 1;
        stack.push(tag);
        if (tag === 'text' || tag === 'title') {
          textTarget = tag;
          textBuf = '';
        }
        break;
      }
      NAME.lastIndex = j;
      const a = NAME.exec(xml);
      if (!a) throw new Error(`bad attribute in <${tag}> at ${j}: ${JSON.stringify(xml.slice(j, j + 20))}`);
      j += a[0].length;
      if (xml[j] !== '=' || xml[j + 1] !== '"') throw new Error(`attribute ${a[0]} of <${tag}> not ="quoted"`);
      const close = xml.indexOf('"', j + 2);
      if (close === -1) throw new Error(`unterminated attribute ${a[0]}`);
      const value = xml.slice(j + 2, close);
      if (value.includes('<')) throw new Error(`'<' in attribute ${a[0]} of <${tag}>`);
      checkEntities(value, `attribute ${a[0]}`);
      if (a[0] in attrs) throw new Error(`duplicate attribute ${a[0]} in <${tag}>`);
      attrs[a[0]] = decode(value);
      j = close + 1;
    }
    counts[tag] = (counts[tag] ?? 0) + 1;
    elements.push({ tag, attrs });
    i = j;
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('> <')}>`);
  if (!root) throw new Error('no root element');
  return { root, counts, elements, texts };
}
