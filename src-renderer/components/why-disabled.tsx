/** Props that disable a control and say why (a tooltip and its accessible description). */
export function disabledBecause(
  reasonId: string,
  reason: string | null | false | undefined,
): { disabled: boolean; title?: string; 'aria-describedby'?: string } {
  if (!reason) return { disabled: false };
  return { disabled: true, title: reason, 'aria-describedby': reasonId };
}

/**
 * The reason a control is disabled, for screen readers (referenced by aria-describedby; hidden
 * content still describes). Renders nothing when the control is enabled.
 */
export function WhyDisabled({
  id,
  reason,
}: {
  id: string;
  reason: string | null | false | undefined;
}) {
  if (!reason) return null;
  return (
    <span id={id} hidden data-why-disabled>
      {reason}
    </span>
  );
}
