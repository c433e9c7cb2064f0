import type { FastifyInstance } from 'fastify';
import { FerryError } from '../../shared/errors/index.ts';
import type { Action } from './auth.ts';

/** One route and what a caller needs to call it. */
export interface RouteAccess {
  method: string;
  url: string;
  action: Action | 'public';
}

/**
 * Routes fail closed: a route added without `config.action` (a role action, or 'public')
 * makes building the API fail with FERRY_ERR_API_ROUTE_UNGUARDED, instead of serving it to
 * anyone. Returns the table of every route added from now on, filled as they are added.
 */
export function guardRoutes(app: FastifyInstance): RouteAccess[] {
  const table: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const action = route.config?.action;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (action === undefined) throw new FerryError('FERRY_ERR_API_ROUTE_UNGUARDED', { route: `${methods.join(',')} ${route.url}` });
    for (const method of methods) table.push({ method, url: route.url, action });
  });
  return table;
}
