/**
 * Loaded by the notebook kernel's Node before tslab starts (`node --import <dist/kernel/preload.js>
 * tslab kernel ...`: the kernelspec scripts/postinstall.mjs writes, and src/runner/kernel.ts's
 * spawn). One import per kernel patch.
 */
import { installInstructorToggle } from './instructor-toggle.js';

installInstructorToggle();
