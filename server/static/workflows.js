// Workflow forms generated from input schemas, and the per-workflow result views. Owner: issue 17.
"use strict";
