// Conformance of /analyze with twelvelabs-js 1.3.4, which names the video as
// video: {type: "asset_id", asset_id}. Run after sdk_core.mjs (same
// environment). The last stdout line is "RESULT {json}".
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import path from "node:path";

const require = createRequire(path.join(process.env.SDK_ROOT, "package.json"));
const { TwelveLabs, TwelvelabsApiError } = require("twelvelabs-js");

const client = new TwelveLabs({ apiKey: process.env.TWELVE_LABS_API_KEY });
const step = (what) => console.error("step:", what);

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

const videoId = await exampleVideo();
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
