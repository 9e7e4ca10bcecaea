// The documented teardown with another SDK version than sdk_core.mjs's:
// the example video first, then its task, then its index. Run last, after
// every script that reads the example (environment in common.mjs). The last
// stdout line is "RESULT {json}".
import assert from "node:assert/strict";
import { TwelvelabsApiError, client, collect, exampleVideo, expectError, step } from "./common.mjs";

const { indexId, videoId } = await exampleVideo();
const tasks = (await collect(client.tasks.list({ indexId }))).filter((t) => t.videoId === videoId);
assert.equal(tasks.length, 1, `tasks of the example: ${JSON.stringify(tasks)}`);
const taskId = tasks[0].id;

step("a ready task before its video is refused");
await expectError("ready task before its video", () => client.tasks.delete(taskId), 400, "parameter_invalid", TwelvelabsApiError);

step("delete the video, then its task, then the index");
await client.indexes.videos.delete(indexId, videoId);
await expectError("deleted video", () => client.indexes.videos.retrieve(indexId, videoId), 404, "resource_not_exist");
assert.equal((await client.tasks.retrieve(taskId)).status, "ready");
await client.tasks.delete(taskId);
await expectError("deleted task", () => client.tasks.retrieve(taskId), 404, "resource_not_exist");
await client.indexes.delete(indexId);
await expectError("deleted index", () => client.indexes.retrieve(indexId), 404, "resource_not_exist");

console.log("RESULT " + JSON.stringify({ deleted_video_ids: [videoId] }));
