// In-process CPU micro-measurements of the engine and the language service on the generated inputs
// (`node --import tsx bench/micro.ts [--runs N]`). CPU time (process.cpuUsage), medians; ratios against a
// `yaml` parseAllDocuments of the same text measured in the same run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Advisor } from '../server/src/advisor/advisor.js';
import { LanguageService } from '../server/src/service/service.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const here = join(process.cwd(), 'bench');
const largePath = join(here, '.generated/large/manifest.yaml');
const text = readFileSync(largePath, 'utf8');

function cpu(fn: () => void): number {
  const t = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
async function cpuAsync(fn: () => Promise<void>): Promise<number> {
  const t = process.cpuUsage();
  await fn();
  const d = process.cpuUsage(t);
  return (d.user + d.system) / 1000;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number) => `${x.toFixed(1)} ms`;

const parse: number[] = [];
for (let i = 0; i < RUNS + 2; i++) {
  const t = cpu(() => parseAllDocuments(text));
  if (i >= 2) parse.push(t);
}
const parseMs = median(parse);
console.log(`yaml parseAllDocuments (large manifest): ${fmt(parseMs)} CPU`);

// Engine: fresh Advisor, setFile + analyze.
const setFile: number[] = [];
const analyzeMs: number[] = [];
for (let i = 0; i < RUNS + 2; i++) {
  const a = new Advisor();
  const t1 = cpu(() => a.setFile(`/large/${i}.yaml`, text));
  const t2 = cpu(() => a.analyze());
  if (i >= 2) {
    setFile.push(t1);
    analyzeMs.push(t2);
  }
}
console.log(
  `Advisor.setFile (cold): ${fmt(median(setFile))}  analyze: ${fmt(median(analyzeMs))}  ` +
    `total ÷ parse: ${((median(setFile) + median(analyzeMs)) / parseMs).toFixed(2)}×`,
);

// Language service: open → first publish (no debounce: flush), then one-line edits.
async function main(): Promise<void> {
  const lines = text.split('\n');
  const editLine = lines.findIndex((l, i) => i > lines.length / 2 && /^\s+replicas: \d+$/.test(l));
  const published: string[] = [];
  const service = new LanguageService({
    publishDiagnostics: (uri) => void published.push(uri),
    sendCounts: () => undefined,
    log: () => undefined,
    showWarning: () => undefined,
  });
  service.initialize({ folders: [] });
  await service.start();
  const open: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const uri = `file:///large/open-${i}.yaml`;
    const t = await cpuAsync(async () => {
      service.didOpen(uri, text, 1, 'yaml');
      await service.flush();
    });
    if (i >= 2) open.push(t);
    await service.didClose(uri);
    await service.flush();
  }
  console.log(
    `service didOpen → published (flush, no debounce): ${fmt(median(open))}  ÷ parse: ${(median(open) / parseMs).toFixed(2)}×`,
  );

  const uri = 'file:///large/edit.yaml';
  service.didOpen(uri, text, 1, 'yaml');
  await service.flush();
  const before = service.stats();
  const edit: number[] = [];
  let version = 1;
  for (let i = 0; i < RUNS + 2; i++) {
    const l = [...lines];
    l[editLine] = l[editLine]!.replace(/\d+$/, String(2 + (i % 2)));
    const t = await cpuAsync(async () => {
      service.didChange(uri, l.join('\n'), ++version);
      await service.flush();
    });
    if (i >= 2) edit.push(t);
  }
  const after = service.stats();
  console.log(
    `service one-line edit (line ${editLine + 1}) → published: ${fmt(median(edit))} (runs ${edit.map((x) => x.toFixed(0)).join(' ')})`,
  );
  console.log(
    `stats before edits ${JSON.stringify(before)}, after ${RUNS + 2} edits ${JSON.stringify(after)}`,
  );

  // A line-inserting edit near the top (every later document shifts).
  const ins: number[] = [];
  for (let i = 0; i < RUNS + 2; i++) {
    const l = [...lines];
    l.splice(3, 0, ...Array.from({ length: 1 + (i % 2) }, () => '# inserted comment'));
    const t = await cpuAsync(async () => {
      service.didChange(uri, l.join('\n'), ++version);
      await service.flush();
    });
    if (i >= 2) ins.push(t);
  }
  console.log(`service line-inserting edit near the top → published: ${fmt(median(ins))}`);
  console.log(`memory: rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  service.dispose();
}
void main();
