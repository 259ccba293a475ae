() => {
  const width = window.innerWidth;
  const problems = [];
  const outside = new Set();
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px > ${width}px`);
  }
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !el.checkVisibility({contentVisibilityAuto: true})) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.position === 'fixed') continue;
    if (el.closest('.sr-only, .skip-link, [hidden]')) continue;
    if (box.width > width + 1 || box.right > width + 1 || box.left < -1) {
      if (outside.has(el.parentElement)) { outside.add(el); continue; }  // report the outermost
      outside.add(el);
      problems.push(`${describe(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
      if (problems.length > 8) break;
    }
  }
  return problems;
}
