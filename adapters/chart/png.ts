import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { CHART_FONT_FAMILY, type TrendChart } from '../../core/digest/chart.ts';
import type { ChartRasterizer } from '../../core/digest/send.ts';
import { KubeguardError } from '../../core/errors.ts';

/**
 * The digest chart's SVG (core/digest/chart.ts) as PNG, with resvg compiled to WebAssembly
 * (@resvg/resvg-wasm; decision D46: the same file runs on a laptop and on Lambda's arm64, and the
 * bundle is built without Docker or a download). resvg draws text only with a font it was given;
 * system fonts are never loaded (a Lambda has none, and a laptop's would make the picture differ by
 * machine): kubeguard ships Roboto Regular subset to ASCII (13 KB, fonts/OFL.txt). The digest
 * function's bundle copies both files next to its code (infra/constructs/digest.ts).
 */
export const CHART_FONT_FILE = 'roboto-regular-ascii.ttf';
export const RESVG_WASM_FILE = 'resvg.wasm';

export interface ResvgRasterizerOptions {
  /** @default fonts/roboto-regular-ascii.ttf beside this module, or beside the bundle */
  fontFile?: string;
  /** @default @resvg/resvg-wasm's index_bg.wasm, or resvg.wasm beside the bundle */
  wasmFile?: string;
}

// The WebAssembly module is compiled once per process, however many rasterizers are made.
let ready: Promise<void> | undefined;

export function createResvgRasterizer(options: ResvgRasterizerOptions = {}): ChartRasterizer {
  const here = dirname(fileURLToPath(import.meta.url));
  const fontFile =
    options.fontFile ?? firstExisting([join(here, 'fonts', CHART_FONT_FILE), join(here, CHART_FONT_FILE)]);
  // resvg skips a font it cannot read and draws no text at all: refuse that up front.
  if (fontFile === undefined || !existsSync(fontFile)) {
    throw new KubeguardError(
      'INVALID_CONFIG',
      `the digest chart's font file ${fontFile ?? CHART_FONT_FILE} does not exist; the bundle must copy adapters/chart/fonts`,
    );
  }
  const font = new Uint8Array(readFileSync(fontFile));
  const wasmFile = options.wasmFile ?? defaultWasmFile(here);
  return {
    async png(chart: TrendChart): Promise<Uint8Array> {
      try {
        ready ??= initWasm(readFileSync(wasmFile)).catch((error: unknown) => {
          ready = undefined;
          throw error;
        });
        await ready;
        const rendered = new Resvg(chart.svg, {
          font: { fontBuffers: [font], defaultFontFamily: CHART_FONT_FAMILY },
          fitTo: { mode: 'original' },
          background: '#ffffff',
        }).render();
        return rendered.asPng();
      } catch (error) {
        throw new KubeguardError(
          'INTERNAL',
          `the digest chart could not be rendered: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
    },
  };
}

function defaultWasmFile(here: string): string {
  const bundled = join(here, RESVG_WASM_FILE);
  if (existsSync(bundled)) return bundled;
  return createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
}

function firstExisting(paths: readonly string[]): string | undefined {
  return paths.find((path) => existsSync(path));
}
