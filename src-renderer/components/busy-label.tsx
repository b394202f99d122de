/** The in-place progress word of a running action ("Starting…"); renders nothing when idle. */
export function BusyLabel({ label }: { label: string | false | null | undefined }) {
  if (!label) return null;
  return (
    <span className="busy" role="status">
      {label}
    </span>
  );
}
