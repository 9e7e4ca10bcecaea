// Conformance of the engine's /analyze with the official SDK (twelvelabs-js
// 1.3.1, which names the video by video_id): analyze, analyzeStream, the
// max_tokens cut and the error cases. Run by conformance_test.go after
// sdk_core.mjs, whose example.mp4 it analyzes (see sdk_core.mjs for the
// environment). The last stdout line is "RESULT {json}".
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import path from "node:path";

const require = createRequire(path.join(process.env.SDK_ROOT, "package.json"));
const { TwelveLabs, TwelvelabsApiError } = require("twelvelabs-js");

const client = new TwelveLabs({ apiKey: process.env.TWELVE_LABS_API_KEY });
const step = (what) => console.error("step:", what);

// exampleVideo finds the ready example.mp4 sdk_core.mjs left in the engine.
async function exampleVideo() {
  const base = process.env.TWELVELABS_BASE_URL;
  const get = async (p) => {
    const r = await fetch(base + p, { headers: { "x-api-key": process.env.TWELVE_LABS_API_KEY } });
    assert.equal(r.status, 200, p);
    return r.json();
  };
  for (const ix of (await get("/indexes?page_limit=50")).data) {
    for (const v of (await get(`/indexes/${ix._id}/videos?page_limit=50`)).data) {
      if (v.system_metadata.filename === "example.mp4") return v._id;
    }
  }
  assert.fail("no example.mp4 in the engine: sdk_core.mjs must run first");
}

async function expectError(what, fn, status, code) {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof TwelvelabsApiError, `${what}: got ${err}`);
    assert.equal(err.statusCode, status, what);
    assert.equal(err.body.code, code, `${what}: body ${JSON.stringify(err.body)}`);
    assert.ok(err.body.message, `${what}: no message`);
    return;
  }
  assert.fail(`${what}: no error`);
}

async function events(req) {
  const out = [];
  for await (const ev of await client.analyzeStream(req)) out.push(ev);
  return out;
}

const videoId = await exampleVideo();
const prompt = "What happened to the train, and what were residents told?";

step("analyze");
const whole = await client.analyze({ videoId, prompt, temperature: 0 });
assert.ok(whole.id, "id");
assert.equal(whole.finishReason, "stop");
assert.ok(whole.data.length > 0, "data");
assert.ok(whole.usage.outputTokens > 0, "usage");

step("analyzeStream");
const evs = await events({ videoId, prompt, temperature: 0 });
assert.equal(evs[0].eventType, "stream_start");
assert.ok(evs[0].metadata.generationId, "generation id");
const end = evs[evs.length - 1];
assert.equal(end.eventType, "stream_end");
assert.equal(end.finishReason, "stop");
assert.equal(end.metadata.generationId, evs[0].metadata.generationId);
const pieces = evs.slice(1, -1);
assert.ok(pieces.length >= 2, `${pieces.length} text events`);
for (const p of pieces) assert.equal(p.eventType, "text_generation");
const text = pieces.map((p) => p.text).join("");
assert.equal(text, whole.data, "the stream and the single answer differ at temperature 0");
assert.ok(end.metadata.usage.outputTokens > 0, "stream usage");

step("max_tokens");
const cut = await events({ videoId, prompt, temperature: 0, maxTokens: 12 });
const cutEnd = cut[cut.length - 1];
assert.equal(cutEnd.finishReason, "length");
assert.ok(cutEnd.metadata.usage.outputTokens <= 12, `used ${cutEnd.metadata.usage.outputTokens}`);

step("grounded answers");
const water = await client.analyze({ videoId, prompt: "What were residents told about drinking water?", temperature: 0 });
assert.match(water.data, /bottled water/i);
assert.match(water.data, /\b0:5\d/); // the caption is up from 0:52
const offTopic = await client.analyze({ videoId, prompt: "Who won the football match?", temperature: 0 });
assert.match(offTopic.data, /do not mention/);

step("errors");
await expectError("unknown video", () => client.analyze({ videoId: "0123456789abcdef01234567", prompt }), 404, "resource_not_exist");
await expectError("prompt over 2,000 tokens", () => client.analyze({ videoId, prompt: "Describe the fire. ".repeat(600) }), 400, "token_limit_exceeded");

console.log("RESULT " + JSON.stringify({ video_id: videoId, answer: whole.data, pieces: pieces.length }));
