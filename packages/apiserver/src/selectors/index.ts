export {
  compileFieldSelector,
  escapeFieldValue,
  type FieldOperator,
  type FieldRequirement,
  type FieldSelector,
  fieldsOf,
  parseFieldSelector,
  type SelectableResource,
  selectableFields,
} from "./field-selector.ts";
export {
  everything,
  fromLabelSelectorObject,
  type LabelOperator,
  type LabelRequirement,
  type LabelSelector,
  type LabelSelectorExpression,
  type LabelSelectorObject,
  labelSelectorFromSet,
  parseLabelSelector,
} from "./label-selector.ts";
