// Conformance of the engine's search and embeddings with the official SDK
// (twelvelabs-js 1.3.4): text and image queries (file and URL), paging
// through every page, grouping by video, a bad filter, sync embeddings (an
// image; text refused without an image–text model) and a video embedding
// task in the image's space. Run by conformance_test.go after sdk_core.mjs,
// whose ready example.mp4 it searches (see common.mjs for the
// environment). The last stdout line is "RESULT {json}".
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { TwelvelabsApiError, client, collect, exampleVideo, step } from "./common.mjs";

const media = (name) => path.join(process.env.MEDIA_DIR, name);

const { indexId, videoId } = await exampleVideo();
const overlaps = (c, from, to) => c.start < to && c.end > from;
const aerial = (c) => overlaps(c, 10, 24) || overlaps(c, 43, 78);

step("text query, every page");
const clips = await collect(await client.search.query({
  indexId, queryText: "bottled water", searchOptions: ["visual", "audio"], pageLimit: 2, threshold: "none",
}));
assert.ok(clips.length > 2, `only ${clips.length} results: paging not exercised`);
for (const [i, c] of clips.entries()) {
  assert.equal(c.videoId, videoId);
  assert.ok(c.start < c.end, `clip ${c.start}-${c.end}`);
  assert.equal(c.rank, i + 1, "ranks run on across pages");
  assert.match(c.thumbnailUrl, /^http:\/\/.+\/media\/[0-9a-f]{24}\/[0-9a-z]+~[\w-]+\/clips\/\d+\.jpg$/);
}
assert.ok(clips.slice(0, 3).some((c) => overlaps(c, 51, 62) || overlaps(c, 106, 118)), "the caption clip is not in the top 3");

step("image query by file and by URL");
const byFile = await collect(await client.search.query({
  indexId, queryMediaType: "image", queryMediaFile: fs.createReadStream(media("search_sample.png")), searchOptions: ["visual"],
}));
assert.ok(byFile.length > 0 && aerial(byFile[0]), `top clip ${JSON.stringify(byFile[0])} is not aerial footage`);
const byURL = await collect(await client.search.query({
  indexId, queryMediaType: "image", queryMediaUrl: process.env.MEDIA_URL + "/search_sample.png", searchOptions: ["visual"],
}));
assert.deepEqual(byURL.map((c) => [c.start, c.end]), byFile.map((c) => [c.start, c.end]));

step("group by video");
const groups = await collect(await client.search.query({
  indexId, queryText: "toxic chemicals", searchOptions: ["visual"], groupBy: "video",
}));
assert.equal(groups.length, 1);
assert.equal(groups[0].id, videoId);
assert.ok(groups[0].clips.length > 0);

step("bad filter");
try {
  await client.search.query({ indexId, queryText: "train", searchOptions: ["visual"], filter: "{not json" });
  assert.fail("no error");
} catch (err) {
  assert.ok(err instanceof TwelvelabsApiError, String(err));
  assert.equal(err.statusCode, 400);
  assert.equal(err.body.code, "search_filter_invalid");
}

step("sync embeddings");
const image = await client.embed.create({ modelName: "Marengo-retrieval-2.7", imageFile: fs.createReadStream(media("search_sample.png")) });
assert.equal(image.modelName, "Marengo-retrieval-2.7"); // the model asked for
const imageDim = image.imageEmbedding.segments[0].float.length;
assert.ok(imageDim > 0);
// No image–text model here: text has no vector in the space of images and
// videos, and is refused rather than answered from another space.
try {
  await client.embed.create({ modelName: "Marengo-retrieval-2.7", text: "a derailed train" });
  assert.fail("a text embedding without an image–text model");
} catch (err) {
  assert.ok(err instanceof TwelvelabsApiError, String(err));
  assert.equal(err.statusCode, 400);
  assert.equal(err.body.code, "parameter_invalid");
}

step("video embedding task");
const task = await client.embed.tasks.create({
  modelName: "Marengo-retrieval-2.7", videoFile: fs.createReadStream(media("example.mp4")), videoEmbeddingScope: ["clip", "video"],
});
const done = await client.embed.tasks.waitForDone(task.id, { sleepInterval: 0.5 });
assert.equal(done.status, "ready");
const got = await client.embed.tasks.retrieve(task.id);
const segs = got.videoEmbedding.segments;
assert.ok(segs.filter((s) => s.embeddingScope === "clip").length > 10, "clip segments");
assert.equal(segs.filter((s) => s.embeddingScope === "video").length, 1, "one video segment");
assert.ok(segs.every((s) => s.float.length === imageDim && s.embeddingOption === "visual-text"), "the video's vectors are not in the image's space");
const listed = await collect(await client.embed.tasks.list({ pageLimit: 1 }));
assert.ok(listed.some((t) => t.id === task.id), "task listed");

console.log("RESULT " + JSON.stringify({ clips: clips.length, image_top: byFile[0], embed_segments: segs.length }));
