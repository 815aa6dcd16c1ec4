#!/usr/bin/env node
'use strict';

// `drizzle-guard` on npm: runs the native binary for this platform (see ../lib/launch.js).
require('../lib/launch').main();
