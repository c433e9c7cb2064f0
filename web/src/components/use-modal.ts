import { useEffect, useRef } from 'preact/hooks';

/**
 * A native <dialog> shown modal while the component lives (the rest of the page inert, so
 * focus stays inside; Escape fires its cancel), then closed, with focus given back to what
 * had it before (the button that opened it).
 */
export function useModal() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const element = dialog.current;
    element?.showModal();
    return () => {
      // Closed before it leaves the page: while it is open the rest is inert and takes no focus.
      element?.close();
      opener?.focus();
    };
  }, []);
  return dialog;
}
