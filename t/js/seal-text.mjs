#!/usr/bin/env node
// Encrypts arbitrary bytes as a board's member would, for tests that feed the
// mskanban CLI hostile plaintext it would never write itself (NUL, bytes that
// are not UTF-8, escape sequences). Independent of the C++ code: it walks the
// key hierarchy with t/js/lib/mskcrypto.mjs (libsodium-wrappers-sumo).
//
// stdin:  {"usk": b64url, "wsId", "encWorkspaceKey": envelope under the USK,
//          "boardId", "encBoardKey", "fields": [{"aad": "card:<id>", "hex": "..."}]}
// stdout: {"envelopes": ["v1....", ...]}   one per field, in order
import { readFileSync } from 'node:fs';
import * as C from './lib/mskcrypto.mjs';

await C.ready();
const req = JSON.parse(readFileSync(0, 'utf8'));
const wk = C.openEnvelope(C.unb64(req.usk), C.aad.workspaceKey(req.wsId), req.encWorkspaceKey);
const bk = C.openEnvelope(wk, C.aad.boardKey(req.boardId), req.encBoardKey);
const envelopes = req.fields.map((f) => C.sealEnvelope(bk, f.aad, C.sodium.from_hex(f.hex)));
process.stdout.write(JSON.stringify({ envelopes }) + '\n');
