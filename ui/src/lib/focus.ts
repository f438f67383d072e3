// After a form comes back with errors, put the keyboard on the first field to fix.

import { tick } from "svelte";

export async function focusFirstInvalid(root: ParentNode | null | undefined): Promise<void> {
  await tick();
  const el = root?.querySelector<HTMLElement>('[aria-invalid="true"], .form-error');
  if (!el) return;
  if (!el.hasAttribute("tabindex") && el.classList.contains("form-error")) el.setAttribute("tabindex", "-1");
  el.focus();
}
