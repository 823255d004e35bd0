import { siblingModule, startModuleWorker } from './src/format/io/module-worker.ts';
const delay = Number(process.argv[2]);
const w = startModuleWorker(siblingModule(new URL('./src/format/arrayrecord/reader.ts', import.meta.url).href, 'read-worker'));
if (delay < 0) w.unref(); else setTimeout(() => w.terminate(), delay);
