import { Catch } from '@nestjs/common';
import { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError } from 'graphql';

/**
 * Errors the admin API means to give (a wrong password, bad input, a missing role) go back to the
 * client as they are, with their code: they are answers, not failures, and are not logged as errors.
 * Anything else is left to Nest, which logs it and answers without the details.
 */
@Catch(GraphQLError)
export class GraphQLErrorFilter implements GqlExceptionFilter {
  catch(error: GraphQLError): GraphQLError {
    return error;
  }
}
