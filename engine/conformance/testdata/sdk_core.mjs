// Conformance of the engine core with the official SDK (twelvelabs-js 1.3.4):
// indexes, uploads by file and by URL, tasks, videos, updates, deletes and
// the error cases. Run by conformance_test.go first (environment in
// common.mjs). The last stdout line is "RESULT {json}" for the Go side to
// check further.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { TwelveLabs, TwelvelabsApi, client, collect, expectError, step } from "./common.mjs";

const hex = /^[0-9a-f]{24}$/;
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

const name = `conformance ${process.pid} ${Date.now()}`;
const models = [{ modelName: "marengo3.0", modelOptions: ["visual", "audio"] }];

step("create indexes");
const index = await client.indexes.create({ indexName: name, models, addons: ["thumbnail"] });
assert.match(index.id, hex);
const other = await client.indexes.create({ indexName: name + " (other)", models });
assert.match(other.id, hex);

step("iterate indexes one per page");
const indexIds = (await collect(client.indexes.list({ pageLimit: 1 }))).map((ix) => ix.id);
assert.ok(indexIds.includes(index.id) && indexIds.includes(other.id), `iterated ${indexIds}`);

step("retrieve index");
const got = await client.indexes.retrieve(index.id);
assert.equal(got.indexName, name);
assert.equal(got.models[0].modelName, "marengo3.0");
assert.deepEqual(got.addons, ["thumbnail"]);
assert.match(got.createdAt, rfc3339);

step("rate-limit headers");
const { rawResponse } = await client.indexes.retrieve(index.id).withRawResponse();
const limit = Number(rawResponse.headers.get("x-ratelimit-limit"));
const used = Number(rawResponse.headers.get("x-ratelimit-used"));
assert.ok(limit > 0 && used >= 2, `limit ${limit} used ${used}`); // the retrieve above counted too
assert.equal(Number(rawResponse.headers.get("x-ratelimit-remaining")), limit - used);
const reset = Number(rawResponse.headers.get("x-ratelimit-reset"));
assert.ok(reset * 1000 > Date.now() && reset * 1000 <= Date.now() + 61_000, `reset ${reset}`);

step("upload by file");
const byFile = await client.tasks.create({
  indexId: index.id,
  videoFile: fs.createReadStream(path.join(process.env.MEDIA_DIR, "example.mp4")),
  userMetadata: JSON.stringify({ source: "file", rank: 1 }),
});
assert.match(byFile.id, hex);
assert.match(byFile.videoId, hex);

step("upload by URL");
const byURL = await client.tasks.create({ indexId: index.id, videoUrl: process.env.MEDIA_URL + "/example.mp4" });
assert.match(byURL.id, hex);

step("upload a file that is not a video");
const junk = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sdk-core-")), "junk.mp4");
fs.writeFileSync(junk, Buffer.alloc(64 * 1024, 7));
const broken = await client.tasks.create({ indexId: index.id, videoFile: fs.createReadStream(junk) });

step("wait for the tasks");
const statuses = [];
const fileTask = await client.tasks.waitForDone(byFile.id, { sleepInterval: 0.5, callback: (t) => statuses.push(t.status) });
const urlTask = await client.tasks.waitForDone(byURL.id, { sleepInterval: 0.5 });
const brokenTask = await client.tasks.waitForDone(broken.id, { sleepInterval: 0.5 });
for (const t of [fileTask, urlTask]) {
  assert.equal(t.status, "ready", JSON.stringify(t));
  assert.equal(t.indexId, index.id);
  assert.ok(t.hls && t.hls.videoUrl && t.hls.videoUrl.endsWith(".m3u8"), JSON.stringify(t.hls));
  assert.equal(t.hls.status, "COMPLETE");
  assert.ok(t.hls.thumbnailUrls.length >= 1);
  assert.ok(Math.abs(t.systemMetadata.duration - 160.5) < 1, `duration ${t.systemMetadata.duration}`);
}
assert.equal(fileTask.systemMetadata.filename, "example.mp4");
assert.equal(urlTask.systemMetadata.filename, "example.mp4");
assert.equal(brokenTask.status, "failed");
assert.ok(statuses.at(-1) === "ready", `statuses seen ${statuses}`);

step("iterate tasks one per page");
const taskIds = (await collect(client.tasks.list({ indexId: index.id, pageLimit: 1 }))).map((t) => t.id);
assert.deepEqual(new Set(taskIds), new Set([byFile.id, byURL.id, broken.id]));
const readyIds = (await collect(client.tasks.list({ indexId: index.id, status: ["ready"] }))).map((t) => t.id);
assert.deepEqual(new Set(readyIds), new Set([byFile.id, byURL.id]));

step("iterate videos one per page");
const videos = await collect(client.indexes.videos.list(index.id, { pageLimit: 1 }));
assert.deepEqual(new Set(videos.map((v) => v.id)), new Set([byFile.videoId, byURL.videoId]));
for (const v of videos) {
  assert.equal(v.systemMetadata.width, 640);
  assert.equal(v.systemMetadata.height, 360);
  assert.match(v.indexedAt, rfc3339);
}

step("retrieve video");
let video = await client.indexes.videos.retrieve(index.id, byFile.videoId, { transcription: true });
assert.equal(video.id, byFile.videoId);
assert.equal(video.hls.videoUrl, fileTask.hls.videoUrl);
assert.equal(video.userMetadata.source, "file");
assert.ok(Array.isArray(video.transcription), "transcription requested but absent");

step("update video metadata");
await client.indexes.videos.update(index.id, byFile.videoId, { userMetadata: { topic: "derailment", rank: null } });
video = await client.indexes.videos.retrieve(index.id, byFile.videoId);
assert.equal(video.userMetadata.topic, "derailment");
assert.equal(video.userMetadata.source, "file");
assert.ok(!("rank" in video.userMetadata), JSON.stringify(video.userMetadata));

step("update index");
await client.indexes.update(other.id, { indexName: name + " (renamed)" });
assert.equal((await client.indexes.retrieve(other.id)).indexName, name + " (renamed)");

step("errors");
await expectError("task without a video", () => client.tasks.create({ indexId: index.id }), 400, "parameter_not_provided", TwelvelabsApi.BadRequestError);
await expectError("unknown index", () => client.indexes.retrieve("0".repeat(24)), 404, "resource_not_exist");
await expectError("unknown task", () => client.tasks.retrieve("0".repeat(24)), 404, "resource_not_exist");
await expectError("duplicate index name", () => client.indexes.create({ indexName: name, models }), 409, "index_name_already_exists");
const stranger = new TwelveLabs({ apiKey: "not-the-key" });
await expectError("wrong key", () => stranger.indexes.list(), 401, "api_key_invalid");

step("delete");
await client.tasks.delete(broken.id);
await expectError("deleted task", () => client.tasks.retrieve(broken.id), 404, "resource_not_exist");
// A ready task goes after its video (the documented order), not before.
await expectError("ready task before its video", () => client.tasks.delete(byURL.id), 400, "parameter_invalid", TwelvelabsApi.BadRequestError);
await client.indexes.videos.delete(index.id, byURL.videoId);
await expectError("deleted video", () => client.indexes.videos.retrieve(index.id, byURL.videoId), 404, "resource_not_exist");
const orphan = await client.tasks.retrieve(byURL.id);
assert.equal(orphan.status, "ready");
assert.equal(orphan.systemMetadata.filename, "example.mp4");
await client.tasks.delete(byURL.id);
await expectError("deleted task of a deleted video", () => client.tasks.retrieve(byURL.id), 404, "resource_not_exist");
await client.indexes.delete(other.id);
await expectError("deleted index", () => client.indexes.retrieve(other.id), 404, "resource_not_exist");
const left = (await collect(client.indexes.videos.list(index.id))).map((v) => v.id);
assert.deepEqual(left, [byFile.videoId]);

console.log("RESULT " + JSON.stringify({
  index_id: index.id,
  hls_urls: [fileTask.hls.videoUrl],
  deleted_video_ids: [byURL.videoId, broken.videoId],
}));
