// Bundles the lessons folder into one file the page fetches when the lessons panel opens:
// {"chapters": <chapters.yaml text>, "lessons": [{"id", "lesson", "en", "ja"}]} with every
// folder that holds a lesson.yaml, texts as they are (core reads and checks them; see
// core/src/lessons/ and cli/src/lessons.rs, which makes the same bundle natively).
// Usage: node scripts/lessons-bundle.mjs [LESSONS_DIR] [OUT_FILE]
import { readFileSync, readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';

const dir = process.argv[2] ?? 'lessons';
const out = process.argv[3] ?? 'target/js/lessons.json';
const read = (p) => readFileSync(p, 'utf8');
const lessons = readdirSync(dir)
  .filter((id) => existsSync(join(dir, id, 'lesson.yaml')))
  .sort()
  .map((id) => ({ id, lesson: read(join(dir, id, 'lesson.yaml')), en: read(join(dir, id, 'en.md')), ja: read(join(dir, id, 'ja.md')) }));
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ chapters: read(join(dir, 'chapters.yaml')), lessons }));
