export { openAccountModule, type AccountModule } from './accountModule';
export { accountRoutes, createAccountApp, ACCOUNT_SCHEMA } from './app';
export { accountPersonalData } from './account';
