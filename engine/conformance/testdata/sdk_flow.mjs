// The whole flow a user goes through, run once with each SDK version
// (SDK_ROOT), through all 22 operations of the product: create and rename
// an index, upload a clip, list its task, read and update the video,
// search it by text (every page) and by image, analyze it (whole and
// streamed), gist and summarize it, embed an image and the clip (text and
// audio are refused without the models for them),
// then delete the video, its task and the index. Each step uses the
// version's own call; where a version lacks one, its raw request helper
// (see rawRequest) with the reason. CLIP is a 20 s cut of example.mp4 from
// 0:40 (conformance_test.go makes it): aerial footage of the derailment
// throughout, the "bottled water" caption from 0:12 to 0:22 of the clip;
// STILL is its frame at 0:08. Environment in common.mjs; the last stdout
// line is "RESULT {json}".
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { client, collect, expectError, step } from "./common.mjs";

const require = createRequire(path.join(process.env.SDK_ROOT, "package.json"));
const version = require("twelvelabs-js/package.json").version;
const core = require("twelvelabs-js/core");
const hex = /^[0-9a-f]{24}$/;
const clipLength = 20;
const overlaps = (c, from, to) => c.start < to && c.end > from;

// rawRequest sends one request through the SDK's own fetcher (the one its
// generated calls use: base URL, key header, retries), for the steps a
// version has no call for; it answers the parsed JSON body.
async function rawRequest(method, p, body) {
  const res = await core.fetcher({
    url: process.env.TWELVELABS_BASE_URL + p,
    method,
    // The headers its generated calls send, so the Go side counts these
    // requests as this version's.
    headers: { "x-api-key": process.env.TWELVE_LABS_API_KEY, "X-Fern-SDK-Name": "twelvelabs-js", "X-Fern-SDK-Version": version },
    contentType: "application/json",
    requestType: "json",
    body,
  });
  assert.ok(res.ok, `${method} ${p}: ${JSON.stringify(res.error)}`);
  return res.body;
}

step(`${version}: create an index`);
const name = `flow ${version} ${process.pid}`;
// Marengo to search, Pegasus to analyze; 1.3.4 refuses pegasus1.2 before
// sending (its IndexesCreateRequestModelsItemModelName is "marengo3.0"
// alone), so there the index has Marengo only.
const models = [{ modelName: "marengo3.0", modelOptions: ["visual", "audio"] }];
if (version !== "1.3.4") models.push({ modelName: "pegasus1.2", modelOptions: ["visual", "audio"] });
const index = await client.indexes.create({ indexName: name, models });
assert.match(index.id, hex);
const got = await client.indexes.retrieve(index.id);
assert.equal(got.indexName, name);
assert.deepEqual(got.models.map((m) => m.modelName), models.map((m) => m.modelName));
assert.ok((await collect(client.indexes.list())).some((ix) => ix.id === index.id), "the new index is not listed");
await client.indexes.update(index.id, { indexName: name + " (renamed)" });
assert.equal((await client.indexes.retrieve(index.id)).indexName, name + " (renamed)");

step(`${version}: upload the clip`);
const created = await client.tasks.create({ indexId: index.id, videoFile: fs.createReadStream(process.env.CLIP) });
assert.match(created.id, hex);
const task = await client.tasks.waitForDone(created.id, { sleepInterval: 0.5 });
assert.equal(task.status, "ready", JSON.stringify(task));
const videoId = task.videoId;
assert.match(videoId, hex);
assert.deepEqual((await collect(client.tasks.list({ indexId: index.id }))).map((t) => t.id), [created.id]);
const videos = await collect(client.indexes.videos.list(index.id));
assert.deepEqual(videos.map((v) => v.id), [videoId]);
const video = await client.indexes.videos.retrieve(index.id, videoId);
assert.equal(video.systemMetadata.filename, path.basename(process.env.CLIP));
assert.ok(Math.abs(video.systemMetadata.duration - clipLength) < 0.5, `duration ${video.systemMetadata.duration}`);
await client.indexes.videos.update(index.id, videoId, { userMetadata: { topic: "derailment" } });
assert.equal((await client.indexes.videos.retrieve(index.id, videoId)).userMetadata.topic, "derailment");

step(`${version}: search by text, page by page`);
const clips = await collect(client.search.query({ indexId: index.id, queryText: "bottled water", searchOptions: ["visual", "audio"], pageLimit: 1 }));
assert.ok(clips.length >= 2, `${clips.length} results: paging not exercised`);
for (const [i, c] of clips.entries()) {
  assert.equal(c.videoId, videoId);
  assert.ok(c.start >= 0 && c.start < c.end && c.end <= clipLength + 0.5, `clip ${c.start}-${c.end}`);
  assert.equal(c.rank, i + 1, "ranks run on across pages");
}
assert.ok(overlaps(clips[0], 12, 22), `the top clip ${clips[0].start}-${clips[0].end} misses the caption at 0:12-0:22`);

step(`${version}: search by image`);
// STILL is the clip's frame at 0:08: the moment it shows comes first.
const byImage = await collect(client.search.query({
  indexId: index.id, queryMediaType: "image", queryMediaFile: fs.createReadStream(process.env.STILL), searchOptions: ["visual"],
}));
assert.ok(byImage.length > 0 && byImage.every((c) => c.videoId === videoId), JSON.stringify(byImage));
assert.ok(overlaps(byImage[0], 7.9, 8.1), `the top clip ${byImage[0].start}-${byImage[0].end} does not hold 0:08`);

step(`${version}: analyze, whole and streamed`);
// 1.3.4 names the video as video: {type: "asset_id", asset_id} (its
// AnalyzeRequest has no videoId); 1.3.1 and 1.2.0 by videoId.
const target = version === "1.3.4" ? { video: { type: "asset_id", assetId: videoId } } : { videoId };
const prompt = "What were residents told about the water?";
const whole = await client.analyze({ ...target, prompt, temperature: 0 });
assert.equal(whole.finishReason, "stop");
assert.match(whole.data, /bottled water/i);
const events = [];
for await (const ev of await client.analyzeStream({ ...target, prompt, temperature: 0 })) events.push(ev);
assert.equal(events[0].eventType, "stream_start");
assert.equal(events.at(-1).eventType, "stream_end");
assert.equal(events.slice(1, -1).map((e) => e.text).join(""), whole.data, "the stream and the single answer differ at temperature 0");
// The built-in writer writes prose only: a JSON schema for the answer is
// refused, plainly, rather than ignored.
await expectError("response_format", () => client.analyze({ ...target, prompt, responseFormat: { type: "json_schema", jsonSchema: { type: "object", properties: { title: { type: "string" } } } } }), 400, "parameter_invalid");

step(`${version}: gist and summarize`);
// twelvelabs-js 1.3.x dropped client.gist and client.summarize (its
// Client.d.ts declares analyze and analyzeStream only; 1.2.0's declares
// both): 1.3.x reach the endpoints, still in the full description, through
// the raw helper and read snake_case JSON.
let gist, summary, chapters;
if (typeof client.gist === "function") {
  gist = await client.gist({ videoId, types: ["title", "topic", "hashtag"] });
  summary = (await client.summarize({ videoId, type: "summary" })).summary;
  chapters = (await client.summarize({ videoId, type: "chapter" })).chapters.map((c) => [c.startSec, c.endSec, c.chapterTitle]);
} else {
  gist = await rawRequest("POST", "/gist", { video_id: videoId, types: ["title", "topic", "hashtag"] });
  const s = await rawRequest("POST", "/summarize", { video_id: videoId, type: "summary" });
  assert.equal(s.summarize_type, "summary");
  summary = s.summary;
  const c = await rawRequest("POST", "/summarize", { video_id: videoId, type: "chapter" });
  assert.equal(c.summarize_type, "chapter");
  chapters = c.chapters.map((x) => [x.start_sec, x.end_sec, x.chapter_title]);
}
assert.ok(gist.title && gist.topics.length > 0 && gist.hashtags.length > 0, `gist ${JSON.stringify(gist)}`);
assert.ok(summary.length > 0, "empty summary");
assert.ok(chapters.length > 0, "no chapters");
assert.equal(chapters[0][0], 0, "the first chapter starts at 0");
assert.ok(Math.abs(chapters.at(-1)[1] - clipLength) < 0.5, `chapters end at ${chapters.at(-1)[1]}`);
for (const [i, [start, end, title]] of chapters.entries()) {
  assert.ok(end > start && title, `chapter ${i + 1}: ${start}-${end} ${title}`);
  if (i > 0) assert.equal(start, chapters[i - 1][1], `chapter ${i + 1} starts where the last ended`);
}

step(`${version}: embed an image; text is refused`);
const image = await client.embed.create({ modelName: "marengo3.0", imageFile: fs.createReadStream(path.join(process.env.MEDIA_DIR, "search_sample.png")) });
assert.equal(image.modelName, "marengo3.0");
const imageVec = image.imageEmbedding.segments[0].float;
assert.ok(imageVec.length > 0);
// Without an image–text model the engine has no text vector in the space
// of its image and video vectors, and says so (engine/search/embed.go).
await expectError("text embedding", () => client.embed.create({ modelName: "marengo3.0", text: "a derailed train" }), 400, "parameter_invalid");
await expectError("audio embedding", () => client.embed.create({ modelName: "marengo3.0", audioFile: fs.createReadStream(path.join(process.env.MEDIA_DIR, "audio_sample.mp3")) }), 400, "parameter_invalid");

step(`${version}: embed the clip in a task`);
const et = await client.embed.tasks.create({ modelName: "marengo3.0", videoFile: fs.createReadStream(process.env.CLIP), videoEmbeddingScope: ["clip", "video"] });
assert.match(et.id, hex);
const etDone = await client.embed.tasks.waitForDone(et.id, { sleepInterval: 0.5 });
assert.equal(etDone.status, "ready");
const segs = (await client.embed.tasks.retrieve(et.id)).videoEmbedding.segments;
const clipSegs = segs.filter((s) => s.embeddingScope === "clip");
assert.ok(clipSegs.length >= 2, `${clipSegs.length} clip segments for ${clipLength} s`);
assert.equal(segs.filter((s) => s.embeddingScope === "video").length, 1, "one video segment");
// One space: the clips, the whole video and the image are of one length
// and one documented option.
assert.ok(segs.every((s) => s.float.length === imageVec.length && s.embeddingOption === "visual"), `segments ${segs.map((s) => [s.float.length, s.embeddingOption])}, image ${imageVec.length}`);
assert.ok((await collect(client.embed.tasks.list())).some((t) => t.id === et.id), "the embedding task is not listed");

step(`${version}: delete the video, then its task, then the index`);
await client.indexes.videos.delete(index.id, videoId);
await expectError("deleted video", () => client.indexes.videos.retrieve(index.id, videoId), 404, "resource_not_exist");
await client.tasks.delete(created.id);
await expectError("deleted task", () => client.tasks.retrieve(created.id), 404, "resource_not_exist");
await client.indexes.delete(index.id);
await expectError("deleted index", () => client.indexes.retrieve(index.id), 404, "resource_not_exist");

console.log("RESULT " + JSON.stringify({
  version,
  clips: clips.length,
  image_top: byImage[0],
  chapters,
  image_dim: imageVec.length,
  video_dim: segs[0].float.length,
  deleted_video_ids: [videoId],
}));
