// Threads studio: the thread sidebar, runs, and the run view. Owner: issue 17.
"use strict";
