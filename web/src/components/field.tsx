import { useId } from 'preact/hooks';

/** A labelled input with the API's problem for it right below (aria-invalid, aria-describedby). */
export function Field(props: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  problem?: string | undefined;
  hint?: string;
  type?: 'text' | 'number' | 'password';
  placeholder?: string;
  disabled?: boolean;
  required?: boolean;
}) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = props.problem ?? props.hint;
  return (
    <div class={`field${props.problem ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type={props.type ?? 'text'}
        value={props.value}
        placeholder={props.placeholder}
        disabled={props.disabled}
        required={props.required}
        aria-invalid={props.problem ? 'true' : undefined}
        aria-describedby={note ? noteId : undefined}
        onInput={(event) => props.onInput((event.target as HTMLInputElement).value)}
      />
      {note && <div id={noteId} class={props.problem ? 'field-problem' : 'field-hint'}>{note}</div>}
    </div>
  );
}

/** A labelled select, with its problem. */
export function SelectField(props: { label: string; value: string; options: readonly string[]; onInput: (value: string) => void; problem?: string | undefined }) {
  const id = useId();
  const noteId = `${id}-note`;
  return (
    <div class={`field${props.problem ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      <select id={id} value={props.value} aria-invalid={props.problem ? 'true' : undefined} aria-describedby={props.problem ? noteId : undefined} onInput={(event) => props.onInput((event.target as HTMLSelectElement).value)}>
        {props.options.map((option) => <option key={option} value={option}>{option === '' ? '—' : option}</option>)}
      </select>
      {props.problem && <div id={noteId} class="field-problem">{props.problem}</div>}
    </div>
  );
}
