// Shared setup of the conformance scripts (sdk_*.mjs). conformance_test.go
// runs each script with:
//   SDK_ROOT             folder whose node_modules holds twelvelabs-js
//   TWELVELABS_BASE_URL  the engine, ending in /v1.3 (the SDK reads it itself)
//   TWELVE_LABS_API_KEY  the engine's key
//   MEDIA_DIR, MEDIA_URL the SDK's example media, on disk and on a loopback server
// A script's last stdout line is "RESULT {json}" for the Go side to check further.
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import path from "node:path";

// The SDK version under test is the one in SDK_ROOT, not one beside this file.
const require = createRequire(path.join(process.env.SDK_ROOT, "package.json"));
export const { TwelveLabs, TwelvelabsApi, TwelvelabsApiError } = require("twelvelabs-js");

export const client = new TwelveLabs({ apiKey: process.env.TWELVE_LABS_API_KEY });
export const step = (what) => console.error("step:", what);

// collect reads every item of a pager (or a promise of one), page by page.
export async function collect(pager) {
  const out = [];
  for await (const item of await pager) out.push(item);
  return out;
}

// expectError runs fn and checks the SDK raised the given status and code,
// as errorClass where the SDK declares a specific one for the call.
export async function expectError(what, fn, status, code, errorClass = TwelvelabsApiError) {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof errorClass, `${what}: got ${err && err.constructor && err.constructor.name}: ${err}`);
    assert.equal(err.statusCode, status, what);
    assert.equal(err.body.code, code, `${what}: body ${JSON.stringify(err.body)}`);
    assert.ok(err.body.message, `${what}: no message`);
    return;
  }
  assert.fail(`${what}: no error`);
}

// exampleVideo finds the ready example.mp4 sdk_core.mjs left in the engine,
// over plain HTTP so that it works the same with every SDK version.
export async function exampleVideo() {
  const base = process.env.TWELVELABS_BASE_URL;
  const get = async (p) => {
    const r = await fetch(base + p, { headers: { "x-api-key": process.env.TWELVE_LABS_API_KEY } });
    assert.equal(r.status, 200, p);
    return r.json();
  };
  for (const ix of (await get("/indexes?page_limit=50")).data) {
    for (const v of (await get(`/indexes/${ix._id}/videos?page_limit=50`)).data) {
      if (v.system_metadata.filename === "example.mp4") {
        return { indexId: ix._id, videoId: v._id, duration: v.system_metadata.duration };
      }
    }
  }
  assert.fail("no example.mp4 in the engine: sdk_core.mjs must run first");
}
