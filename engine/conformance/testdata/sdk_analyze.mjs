// Conformance of the engine's /analyze with the official SDK (twelvelabs-js
// 1.3.1, which names the video by video_id): analyze, analyzeStream, the
// max_tokens cut and the error cases. Run by conformance_test.go after
// sdk_core.mjs, whose example.mp4 it analyzes (see common.mjs for the
// environment). The last stdout line is "RESULT {json}".
import assert from "node:assert/strict";
import { client, exampleVideo, expectError, step } from "./common.mjs";

async function events(req) {
  const out = [];
  for await (const ev of await client.analyzeStream(req)) out.push(ev);
  return out;
}

const { videoId } = await exampleVideo();
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
