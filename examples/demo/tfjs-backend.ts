// The fastest TensorFlow.js backend installed: @tensorflow/tfjs-node (native TensorFlow), else
// @tensorflow/tfjs-backend-wasm (WebAssembly, installs from npm with no build step), else tfjs's pure
// JavaScript CPU backend. TFJS_BACKEND=tensorflow|wasm|cpu picks one instead.

import * as tfjs from '@tensorflow/tfjs';

export type Tf = typeof tfjs;

/** The tf namespace to use (tfjs-node's when it loads) and the backend it runs on. */
export async function loadTensorFlow(): Promise<{ tf: Tf; backend: string; note: string }> {
  const wanted = process.env['TFJS_BACKEND'];
  let note = '';
  if (wanted === undefined || wanted === 'tensorflow') {
    // tfjs-node brings its own tfjs namespace; its TensorFlow C++ logging is quieted first.
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
    const name = '@tensorflow/tfjs-node';
    try {
      const tf = (await import(name)) as Tf;
      await tf.ready();
      return { tf, backend: tf.getBackend(), note: 'native TensorFlow' };
    } catch (error) {
      note = `@tensorflow/tfjs-node ${(error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ? 'is not installed' : `did not load (${(error as Error).message.split('\n')[0]})`}`;
      if (wanted === 'tensorflow') throw new Error(note, { cause: error });
    }
  }
  // Without tfjs-node the CPU backend prints an "install tfjs-node" banner on first use; PROD mode
  // leaves tfjs's warnings out.
  tfjs.env().set('PROD', true);
  if (wanted === undefined || wanted === 'wasm') {
    try {
      const handlers = [process.listeners('uncaughtException'), process.listeners('unhandledRejection')] as const;
      await import('@tensorflow/tfjs-backend-wasm');
      // Its Emscripten loader rethrows uncaught errors and rejections from handlers of its own, which
      // print its whole minified source: they are removed, so Node reports errors as usual.
      for (const handler of process.listeners('uncaughtException')) if (!handlers[0].includes(handler)) process.off('uncaughtException', handler);
      for (const handler of process.listeners('unhandledRejection')) if (!handlers[1].includes(handler)) process.off('unhandledRejection', handler);
      if (await tfjs.setBackend('wasm')) return { tf: tfjs, backend: 'wasm', note: note === '' ? 'WebAssembly' : `WebAssembly; ${note}` };
      note = `${note === '' ? '' : `${note}; `}the wasm backend did not start`;
    } catch (error) {
      note = `${note === '' ? '' : `${note}; `}@tensorflow/tfjs-backend-wasm did not load (${(error as Error).message.split('\n')[0]})`;
    }
    if (wanted === 'wasm') throw new Error(note);
  }
  await tfjs.setBackend('cpu');
  return { tf: tfjs, backend: 'cpu', note: note === '' ? 'pure JavaScript' : `pure JavaScript; ${note}` };
}
