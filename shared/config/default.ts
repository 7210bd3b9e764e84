/**
 * The embedded default: what `npm start` runs with no config file. It watches
 * the CI kinds the product understands and prints feedback to the console.
 */
export const DEFAULT_CONFIG_YAML = `
cluster: local
watch:
  - { group: batch, version: v1, resource: jobs }
  - { group: tekton.dev, version: v1, resource: pipelineruns }
  - { group: tekton.dev, version: v1, resource: taskruns }
  - { group: argoproj.io, version: v1alpha1, resource: workflows }
receivers:
  - name: console
    type: console
`;
