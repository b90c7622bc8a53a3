/**
 * The kernel's instructor toggle (src/kernel): with RNNKIT_SOLUTIONS=1 an executed task cell runs
 * with its regions filled exactly as the instructor build fills them, whatever the student typed
 * into the regions; other cells run as they are. (The headless notebook tests run it in a kernel.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { buildNotebooks } from '../../src/grading/build.js';
import { findRegions, lines } from '../../src/grading/markers.js';
import { COURSES, loadCourse } from '../../src/grading/tasks/index.js';
import { instructorCode } from '../../src/kernel/instructor-fill.js';
import { findTask, skeleton } from '../../src/kernel/task-cells.js';
import { cellText } from '../../src/notebook/codec.js';

describe('instructor fill in the kernel', () => {
  for (const id of Object.keys(COURSES)) {
    it(`${id}: every task cell of the student version runs as the instructor build's cell`, async (t) => {
      const course = await loadCourse(id);
      if (!existsSync(course.notebook)) { t.skip(`${course.notebook} does not exist`); return; }
      const built = buildNotebooks(course);
      const tasks = built.student.cells.filter((c) => c.cell_type === 'code' && findRegions(lines(cellText(c)), ['student']).length > 0);
      assert.ok(tasks.length > 0, `${id} has task cells`);
      for (const [i, cell] of built.student.cells.entries()) {
        const code = cellText(cell);
        if (cell.cell_type !== 'code') continue;
        const want = tasks.includes(cell) ? cellText(built.instructor.cells[i]!) : code;
        assert.equal(await instructorCode(code), want, `${id}, cell ${i + 1}`);
      }
    });
  }

  it("fills a region whatever the student typed into it, and leaves other code alone", async () => {
    const course = await loadCourse('i2dl');
    const built = buildNotebooks(course);
    const i = built.student.cells.findIndex((c) => c.cell_type === 'code' && findRegions(lines(cellText(c)), ['student']).length > 0);
    const ls = lines(cellText(built.student.cells[i]!));
    const r = findRegions(ls, ['student'])[0]!;
    ls.splice(r.start, 0, '    const attempt = 42; // the student was here');
    const typed = ls.join('\n');
    assert.equal(skeleton(typed), skeleton(cellText(built.student.cells[i]!)));
    assert.equal(await instructorCode(typed), cellText(built.instructor.cells[i]!));
    assert.equal(await instructorCode('const x = 1;\nconsole.log(x);'), 'const x = 1;\nconsole.log(x);');
    assert.equal(await findTask('// START OF YOUR CODE\n// END OF YOUR CODE\nclass Unknown {}'), undefined, 'an unknown task cell runs as it is');
  });
});
