// Conformance of /analyze with twelvelabs-js 1.3.4, which names the video as
// video: {type: "asset_id", asset_id}. Run after sdk_core.mjs (environment
// in common.mjs). The last stdout line is "RESULT {json}".
import assert from "node:assert/strict";
import { TwelvelabsApiError, client, exampleVideo, step } from "./common.mjs";

const { videoId } = await exampleVideo();
const video = { type: "asset_id", assetId: videoId };
const prompt = "Summarize this video.";

step("analyze by asset_id");
const whole = await client.analyze({ video, prompt, temperature: 0 });
assert.equal(whole.finishReason, "stop");
assert.ok(whole.data.length > 0);

step("analyzeStream by asset_id");
const evs = [];
for await (const ev of await client.analyzeStream({ video, prompt, temperature: 0 })) evs.push(ev);
assert.equal(evs[0].eventType, "stream_start");
assert.equal(evs[evs.length - 1].eventType, "stream_end");
assert.equal(evs.slice(1, -1).map((e) => e.text).join(""), whole.data);

step("unknown asset");
try {
  await client.analyze({ video: { type: "asset_id", assetId: "0123456789abcdef01234567" }, prompt });
  assert.fail("no error for an unknown asset");
} catch (err) {
  assert.ok(err instanceof TwelvelabsApiError, String(err));
  assert.equal(err.statusCode, 404);
  assert.equal(err.body.code, "resource_not_exist");
}

console.log("RESULT " + JSON.stringify({ video_id: videoId, summary: whole.data }));
