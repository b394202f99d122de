/** Every file under a dir whose bytes contain a needle (shared with the e2e suite). */
export { filesContaining } from '../../../e2e/support/canary';
