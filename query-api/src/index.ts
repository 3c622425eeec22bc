export { queryRoutes, createQueryApp, type QueryDependencies } from './app';
